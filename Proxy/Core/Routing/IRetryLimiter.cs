namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// Limits the retries in flight to one cluster (Envoy's retry circuit breaker: a DestinationRule's
/// <c>retryBudget</c> or <c>connectionPool.http.maxRetries</c>). A feature that implements it sets it on
/// the cluster at translation (<c>ClusterTranslation.RetryLimiter</c>); the router asks it before each
/// retry and tells it when that retry produced an outcome.
/// </summary>
public interface IRetryLimiter
{
    /// <summary>Takes a place for one retry to <paramref name="cluster"/>; false when none is left (the router gives up with flag UO).</summary>
    bool TryBeginRetry(UpstreamCluster cluster);

    /// <summary>Gives back a place taken by <see cref="TryBeginRetry"/>.</summary>
    void EndRetry();
}
