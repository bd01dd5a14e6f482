namespace Mesh.Proxy.Traffic.CircuitBreaking;

/// <summary>
/// A cluster's compiled <c>trafficPolicy.retryBudget</c> (Envoy's retry budget): retries in flight
/// may be at most <see cref="Percent"/>% of the cluster's active requests, and never fewer than
/// <see cref="MinRetryConcurrency"/>. It replaces <c>connectionPool.http.maxRetries</c>.
/// </summary>
internal sealed record RetryBudgetModel(double Percent, int MinRetryConcurrency)
{
    public int LimitFor(int activeRequests) => Math.Max(MinRetryConcurrency, (int)(Percent * activeRequests / 100));
}
