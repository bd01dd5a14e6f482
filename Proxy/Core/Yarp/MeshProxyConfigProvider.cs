using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// Feeds YARP one catch-all route and the clusters of the current snapshot. The route only
/// brings requests into the YARP pipeline; the mesh routing middleware picks the cluster.
/// </summary>
internal sealed class MeshProxyConfigProvider : IProxyConfigProvider
{
    /// <summary>The catch-all route's cluster; never forwarded to (the mesh middleware always reassigns).</summary>
    public const string UnroutedClusterId = "mesh|unrouted";

    public const string CatchAllRouteId = "mesh|catch-all";

    private static readonly IReadOnlyList<RouteConfig> Routes =
    [
        new RouteConfig
        {
            RouteId = CatchAllRouteId,
            ClusterId = UnroutedClusterId,
            Match = new RouteMatch { Path = "/{**catch-all}" },
        },
    ];

    private static readonly ClusterConfig UnroutedCluster = new() { ClusterId = UnroutedClusterId };

    private readonly Lock _gate = new();
    private MeshProxyConfig _current = new(0, Routes, [UnroutedCluster]);

    public IProxyConfig GetConfig() => Volatile.Read(ref _current);

    public MeshProxyConfig Current => Volatile.Read(ref _current);

    /// <summary>Publishes a new generation with these clusters and signals YARP to load it.</summary>
    public MeshProxyConfig Update(IReadOnlyList<ClusterConfig> clusters)
    {
        MeshProxyConfig previous;
        MeshProxyConfig next;
        lock (_gate)
        {
            previous = _current;
            next = new MeshProxyConfig(previous.Generation + 1, Routes, [UnroutedCluster, .. clusters]);
            Volatile.Write(ref _current, next);
        }

        previous.SignalChange();
        return next;
    }
}
