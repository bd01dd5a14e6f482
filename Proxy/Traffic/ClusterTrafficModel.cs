using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Model;

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

    /// <summary>trafficPolicy.retryBudget; when set it replaces connectionPool.http.maxRetries.</summary>
    public RetryBudgetModel? RetryBudget { get; init; }

    public ClusterTrafficState State { get; }

    /// <summary>
    /// Reserves a retry under the cluster's retry budget, else its http.maxRetries (Envoy's retry
    /// circuit breaker). <paramref name="cluster"/> gives the active requests a budget is relative to.
    /// </summary>
    public bool TryBeginRetry(ClusterState? cluster)
    {
        var limit = RetryBudget is { } budget ? budget.LimitFor(ActiveRequests(cluster)) : ConnectionPool?.MaxRetries ?? 0;
        return State.Pool.TryBeginRetry(limit);
    }

    public void EndRetry() => State.Pool.EndRetry();

    /// <summary>Requests in flight to the cluster's endpoints (counted by YARP per endpoint).</summary>
    private static int ActiveRequests(ClusterState? cluster)
    {
        if (cluster is null)
        {
            return 0;
        }

        var active = 0;
        foreach (var destination in cluster.DestinationsState.AllDestinations)
        {
            active += destination.ConcurrentRequestCount;
        }

        return active;
    }
}
