namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// The simulated proxies' discovery stream receive window at the start: the proxy's own
/// (ControlPlaneClient.DiscoveryStreamWindowBytes; the harness does not reference the proxy).
/// </summary>
internal static class DiscoveryStreamWindow
{
    public const int Bytes = 1024 * 1024;
}
