using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Traffic.Mirroring;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// The traffic feature's share of snapshot translation: each cluster's circuit breakers, outlier
/// detection and consistent hash (<see cref="ClusterTrafficTranslator"/>), each route's filters and
/// header models (<see cref="RouteTrafficTranslator"/>); once a snapshot is accepted, the live
/// state of clusters it no longer has is dropped.
/// </summary>
internal sealed class TrafficTranslator(TimeProvider time, MirrorSender mirrors, TrafficStateRegistry state) : IFeatureTranslator
{
    // Traffic policies live inside clusters and routes, which Core owns.
    public IReadOnlyCollection<string> SnapshotFields => [];

    public FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors) => new SnapshotPart(time, mirrors, state);

    private sealed class SnapshotPart(TimeProvider time, MirrorSender mirrors, TrafficStateRegistry state) : FeatureTranslation
    {
        public override void TranslateCluster(ClusterTranslation cluster) => ClusterTrafficTranslator.Translate(cluster, state);

        public override void TranslateRoute(RouteTranslation route) => RouteTrafficTranslator.Translate(route, time, mirrors);

        // Live traffic state (circuit breaker counts, ejections) of clusters that are gone is dropped.
        public override void OnTranslated(SnapshotTranslation snapshot) => state.RetainOnly(snapshot.Clusters.Keys.ToHashSet(StringComparer.Ordinal));
    }
}
