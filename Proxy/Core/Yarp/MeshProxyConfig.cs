using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>One immutable YARP configuration generation (the InMemoryConfigProvider pattern).</summary>
internal sealed class MeshProxyConfig : IProxyConfig
{
    private readonly CancellationTokenSource _changed = new();

    public MeshProxyConfig(long generation, IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters)
    {
        Generation = generation;
        RevisionId = generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Routes = routes;
        Clusters = clusters;
        ChangeToken = new CancellationChangeToken(_changed.Token);
    }

    public long Generation { get; }

    public string RevisionId { get; }

    public IReadOnlyList<RouteConfig> Routes { get; }

    public IReadOnlyList<ClusterConfig> Clusters { get; }

    public IChangeToken ChangeToken { get; }

    internal void SignalChange() => _changed.Cancel();
}
