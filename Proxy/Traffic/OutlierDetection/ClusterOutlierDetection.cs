namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>
/// A cluster's outlier detection under one snapshot: the compiled DestinationRule
/// <c>outlierDetection</c> and the cluster's live ejection state (which outlives snapshots of the
/// same cluster). Attached to the cluster as its feature model.
/// </summary>
internal sealed class ClusterOutlierDetection
{
    internal ClusterOutlierDetection(OutlierDetectionModel model, OutlierClusterState state)
    {
        Model = model;
        State = state;
    }

    public OutlierDetectionModel Model { get; }

    internal OutlierClusterState State { get; }
}
