namespace Mesh.Proxy.Traffic.CircuitBreaking;

/// <summary>
/// A cluster's compiled DestinationRule <c>connectionPool</c> limits (Envoy circuit breakers; 0 =
/// unlimited, Istio's default). Over HTTP/1.1 each active request holds one connection, so
/// <see cref="MaxConnections"/> bounds concurrent requests and up to <see cref="MaxPendingRequests"/>
/// more wait for a connection; over HTTP/2 requests multiplex and only <see cref="MaxRequests"/> applies.
/// </summary>
internal sealed class ConnectionPoolModel
{
    /// <summary>tcp.maxConnections.</summary>
    public int MaxConnections { get; init; }

    /// <summary>http.http1MaxPendingRequests.</summary>
    public int MaxPendingRequests { get; init; }

    /// <summary>http.http2MaxRequests: concurrent requests to the cluster, whatever the protocol (Envoy's max_requests).</summary>
    public int MaxRequests { get; init; }

    /// <summary>http.maxRetries: retries outstanding at once across the cluster.</summary>
    public int MaxRetries { get; init; }

    /// <summary>http.maxRequestsPerConnection (1 disables keep-alive).</summary>
    public int MaxRequestsPerConnection { get; init; }

    /// <summary>True when requests each hold a connection (HTTP/1.1 upstream).</summary>
    public bool Http1 { get; init; }

    /// <summary>Whether requests are admitted through the pool's counters at all.</summary>
    public bool LimitsRequests => MaxRequests > 0 || (Http1 && MaxConnections > 0);

    /// <summary>The number of requests that may be in flight at once.</summary>
    public int ActiveLimit
    {
        get
        {
            var limit = int.MaxValue;
            if (MaxRequests > 0)
            {
                limit = MaxRequests;
            }

            if (Http1 && MaxConnections > 0)
            {
                limit = Math.Min(limit, MaxConnections);
            }

            return limit;
        }
    }

    /// <summary>Requests may wait only for an HTTP/1.1 connection (not for the request limit, which overflows at once, as in Envoy).</summary>
    public bool CanWait(int active) => Http1 && MaxConnections > 0 && (MaxRequests == 0 || active < MaxRequests);

    public int PendingLimit => MaxPendingRequests > 0 ? MaxPendingRequests : int.MaxValue;
}
