namespace Mesh.Proxy.Core.Routing;

/// <summary>Envoy's short form of <see cref="ResponseFlags"/> ("UF,URX"; "-" for none), cached per combination.</summary>
public static class ResponseFlagsText
{
    private static readonly (ResponseFlags Flag, string Text)[] Names =
    [
        (ResponseFlags.NoRouteFound, "NR"),
        (ResponseFlags.NoHealthyUpstream, "UH"),
        (ResponseFlags.UpstreamConnectionFailure, "UF"),
        (ResponseFlags.UpstreamRequestTimeout, "UT"),
        (ResponseFlags.UpstreamRetryLimitExceeded, "URX"),
        (ResponseFlags.UpstreamOverflow, "UO"),
        (ResponseFlags.DelayInjected, "DI"),
        (ResponseFlags.FaultInjected, "FI"),
        (ResponseFlags.UpstreamConnectionTermination, "UC"),
        (ResponseFlags.DownstreamConnectionTermination, "DC"),
        (ResponseFlags.NoClusterFound, "NC"),
    ];

    private static readonly string?[] Cache = new string?[1 << Names.Length];

    public static string Format(ResponseFlags flags)
    {
        var index = (int)flags;
        if ((uint)index >= (uint)Cache.Length)
        {
            return Build(flags);
        }

        // A benign race: two threads may build the same string once.
        return Cache[index] ??= Build(flags);
    }

    private static string Build(ResponseFlags flags)
    {
        if (flags == ResponseFlags.None)
        {
            return "-";
        }

        var parts = new List<string>();
        foreach (var (flag, text) in Names)
        {
            if ((flags & flag) != 0)
            {
                parts.Add(text);
            }
        }

        return string.Join(',', parts);
    }
}
