using Mesh.Proxy.Core.Routing;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.CircuitBreaking;

/// <summary>
/// A cluster's circuit breakers under one snapshot: the connection pool limits and retry budget
/// compiled from its DestinationRule, acting on the cluster's live counters (which outlive
/// snapshots of the same cluster). Attached to the cluster as its feature model and as its
/// <see cref="IRetryLimiter"/> (Envoy's retry circuit breaker).
/// </summary>
internal sealed class ClusterCircuitBreaker : IRetryLimiter
{
    public ClusterCircuitBreaker(ConnectionPoolModel? limits, RetryBudgetModel? retryBudget, ConnectionPoolState state)
    {
        Limits = limits;
        RetryBudget = retryBudget;
        State = state;
    }

    /// <summary>connectionPool limits; null when the DestinationRule sets none.</summary>
    public ConnectionPoolModel? Limits { get; }

    /// <summary>trafficPolicy.retryBudget; when set it replaces connectionPool.http.maxRetries.</summary>
    public RetryBudgetModel? RetryBudget { get; }

    public ConnectionPoolState State { get; }

    /// <summary>
    /// Reserves a retry under the cluster's retry budget, else its http.maxRetries; the budget is
    /// relative to the requests in flight to the cluster's endpoints.
    /// </summary>
    public bool TryBeginRetry(UpstreamCluster cluster)
    {
        var limit = RetryBudget is { } budget ? budget.LimitFor(ActiveRequests(cluster.IsBound ? cluster.State : null)) : Limits?.MaxRetries ?? 0;
        return State.TryBeginRetry(limit);
    }

    public void EndRetry() => State.EndRetry();

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
