using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// The router stage's own per-request state: the retry policy in force, what the response
/// classifier decided about the current attempt, the endpoints tried so far, the place held in the
/// cluster's retry budget, and whether a single attempt forwarded without the attempt loop still
/// needs its failure mapped. Pooled with <see cref="RoutingResult"/> (one object per request), but
/// only the router (Pipeline/RouterStage, UpstreamResponseClassifier) reads or writes it.
/// </summary>
internal sealed class UpstreamAttempts
{
    private DestinationState?[] _tried = new DestinationState?[4];
    private UpstreamCluster? _reservedIn;

    /// <summary>The route's retry policy while the attempt loop runs; null otherwise (no retry decisions to make).</summary>
    public RetryPolicyModel? Retry { get; set; }

    /// <summary>Set before each attempt: a retriable response may be suppressed and retried.</summary>
    public bool RetryPossible { get; set; }

    /// <summary>What the response classifier concluded about the current attempt.</summary>
    public AttemptResult Result { get; set; }

    /// <summary>
    /// The router forwarded one attempt without its attempt loop (no timeout, no retries: no async
    /// frame of its own); when the pipeline returns, the routing stage asks the router to map that
    /// attempt's failure (RouterStage.CompleteAsync).
    /// </summary>
    public bool SingleAttemptForwarded { get; set; }

    public int TriedCount { get; private set; }

    /// <summary>
    /// Reserves the next retry under the cluster's retry limiter (retry budget or http.maxRetries);
    /// false when it is exhausted. As in Envoy, a retry holds its place from the decision to retry
    /// until the next decision (or the end of the exchange); that place is given back before deciding again.
    /// </summary>
    public bool TryReserveRetry(UpstreamCluster? cluster)
    {
        if (cluster?.RetryLimiter is not { } limiter)
        {
            return true;
        }

        EndReservedRetry();
        if (!limiter.TryBeginRetry(cluster))
        {
            return false;
        }

        _reservedIn = cluster;
        return true;
    }

    /// <summary>Gives back the request's place in the retry budget (its retry has produced an outcome).</summary>
    public void EndReservedRetry()
    {
        if (_reservedIn is { } cluster)
        {
            _reservedIn = null;
            cluster.RetryLimiter?.EndRetry();
        }
    }

    public void RecordTried(DestinationState destination)
    {
        if (TriedCount == _tried.Length)
        {
            Array.Resize(ref _tried, _tried.Length * 2);
        }

        _tried[TriedCount++] = destination;
    }

    public bool WasTried(DestinationState destination)
    {
        for (var i = 0; i < TriedCount; i++)
        {
            if (ReferenceEquals(_tried[i], destination))
            {
                return true;
            }
        }

        return false;
    }

    public void Reset()
    {
        Retry = null;
        RetryPossible = false;
        Result = AttemptResult.None;
        SingleAttemptForwarded = false;
        _reservedIn = null;
        Array.Clear(_tried, 0, TriedCount);
        TriedCount = 0;
    }
}
