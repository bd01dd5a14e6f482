using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.OutlierDetection;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// A cluster's DestinationRule traffic policy beyond plain load balancing (connection pool limits,
/// outlier detection, consistent hashing), compiled once per snapshot, plus the live state it acts
/// on, which outlives snapshots of the same cluster.
/// </summary>
public sealed class ClusterTrafficModel
{
    public ClusterTrafficModel(ClusterTrafficState state)
    {
        State = state;
    }

    public ConnectionPoolModel? ConnectionPool { get; init; }

    public OutlierDetectionModel? OutlierDetection { get; init; }

    public ConsistentHashModel? ConsistentHash { get; init; }

    public ClusterTrafficState State { get; }

    /// <summary>Reserves a retry under the cluster's http.maxRetries (Envoy's retry circuit breaker).</summary>
    public bool TryBeginRetry() => State.Pool.TryBeginRetry(ConnectionPool);

    public void EndRetry() => State.Pool.EndRetry();
}
