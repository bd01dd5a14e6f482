using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// <see cref="ResponseFlags"/> as Envoy's <c>response.flags</c> attribute encodes them (its
/// <c>StreamInfo::CoreResponseFlag</c> bit positions), so filters written for Istio such as
/// <c>response.flags != 0</c> or <c>response.flags == 32</c> (UF) mean the same here.
/// </summary>
internal static class EnvoyResponseFlags
{
    private static readonly (ResponseFlags Flag, long Bit)[] Table =
    [
        (ResponseFlags.NoHealthyUpstream, 0x2),
        (ResponseFlags.UpstreamRequestTimeout, 0x4),
        (ResponseFlags.UpstreamConnectionFailure, 0x20),
        (ResponseFlags.UpstreamConnectionTermination, 0x40),
        (ResponseFlags.UpstreamOverflow, 0x80),
        (ResponseFlags.NoRouteFound, 0x100),
        (ResponseFlags.DelayInjected, 0x200),
        (ResponseFlags.FaultInjected, 0x400),
        (ResponseFlags.DownstreamConnectionTermination, 0x4000),
        (ResponseFlags.UpstreamRetryLimitExceeded, 0x8000),
        (ResponseFlags.NoClusterFound, 0x1000000),
    ];

    public static long Bits(ResponseFlags flags)
    {
        if (flags == ResponseFlags.None)
        {
            return 0;
        }

        long bits = 0;
        foreach (var (flag, bit) in Table)
        {
            if ((flags & flag) != 0)
            {
                bits |= bit;
            }
        }

        return bits;
    }
}
