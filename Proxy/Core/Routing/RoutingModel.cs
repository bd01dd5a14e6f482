using System.Collections.Frozen;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// The immutable runtime form of one applied snapshot. A request reads the current model once
/// and uses only it, so it sees one consistent configuration even while a new one is swapped in.
/// </summary>
public sealed class RoutingModel
{
    public RoutingModel(
        ProxySnapshot snapshot,
        ListenerRoutes[] listeners,
        FrozenDictionary<string, UpstreamCluster> clusters,
        IReadOnlyList<VirtualHostModel> virtualHosts)
    {
        Snapshot = snapshot;
        Listeners = listeners;
        Clusters = clusters;
        VirtualHosts = virtualHosts;
    }

    public string Version => Snapshot.Version;

    /// <summary>The snapshot this model was translated from (diagnostics: /config_dump).</summary>
    public ProxySnapshot Snapshot { get; }

    /// <summary>Indexed by <see cref="Listeners.MeshListener.Index"/>.</summary>
    public ListenerRoutes[] Listeners { get; }

    public FrozenDictionary<string, UpstreamCluster> Clusters { get; }

    public IReadOnlyList<VirtualHostModel> VirtualHosts { get; }

    /// <summary>REGISTRY_ONLY: hosts unknown to the mesh are refused (Envoy's BlackHoleCluster).</summary>
    public bool RegistryOnly { get; init; }

    /// <summary>What features compiled from this snapshot (inbound security, telemetry settings, Gateway servers...).</summary>
    public FeatureModels FeatureModels { get; init; } = FeatureModels.Empty;

    /// <summary>Gateway: the listeners opened live for this snapshot's Gateway server ports (bound once the model is published).</summary>
    public IReadOnlyList<Listeners.MeshListener> LiveListeners { get; init; } = [];

    /// <summary>Sidecar with capture: the service each service address:port is (docs/capture.md).</summary>
    internal CaptureTable Capture { get; init; } = CaptureTable.Empty;
}
