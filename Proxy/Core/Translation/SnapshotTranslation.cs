using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>A snapshot that translated without an error, before its model is built: features attach their snapshot-level models.</summary>
public sealed class SnapshotTranslation
{
    private readonly FeatureModels.Builder _models = new();

    internal SnapshotTranslation(ProxySnapshot snapshot, IReadOnlyDictionary<string, UpstreamCluster> clusters)
    {
        Snapshot = snapshot;
        Clusters = clusters;
    }

    public ProxySnapshot Snapshot { get; }

    /// <summary>The snapshot's clusters by name (including the sidecar's inbound clusters).</summary>
    public IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; }

    /// <summary>Attaches a feature's model to the snapshot's routing model (read per request with <c>RoutingModel.FeatureModels</c>).</summary>
    public void SetModel<T>(T model)
        where T : class => _models.Set(model);

    internal FeatureModels BuildModels() => _models.Build();
}
