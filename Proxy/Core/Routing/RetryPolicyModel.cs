namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// A route's compiled retry policy with Envoy's semantics: which responses and failures are
/// retried, how many times, and the per-try timeout.
/// </summary>
public sealed class RetryPolicyModel
{
    // gRPC status codes (grpc/status.h) that retry_on names.
    private const int GrpcCancelled = 1;
    private const int GrpcDeadlineExceeded = 4;
    private const int GrpcResourceExhausted = 8;
    private const int GrpcInternal = 13;
    private const int GrpcUnavailable = 14;

    private readonly bool[] _retriableStatus = new bool[600];

    public RetryPolicyModel(int numRetries, TimeSpan perTryTimeout, RetryOn retryOn, IEnumerable<int> retriableStatusCodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numRetries);
        NumRetries = numRetries;
        PerTryTimeout = perTryTimeout;
        RetryOn = retryOn;
        var codes = new List<int>();
        foreach (var code in retriableStatusCodes)
        {
            if (code is < 100 or > 599)
            {
                throw new ArgumentOutOfRangeException(nameof(retriableStatusCodes), code, "Retriable status codes must be 100-599.");
            }

            _retriableStatus[code] = true;
            codes.Add(code);
        }

        RetriableStatusCodes = codes;
    }

    /// <summary>Retries after the first try (Istio's <c>attempts</c>).</summary>
    public int NumRetries { get; }

    /// <summary>Zero when there is no per-try timeout.</summary>
    public TimeSpan PerTryTimeout { get; }

    public RetryOn RetryOn { get; }

    public IReadOnlyList<int> RetriableStatusCodes { get; }

    /// <summary>Whether an upstream response is retriable: its status, or grpc-status of a trailers-only response.</summary>
    public bool ShouldRetryResponse(int status, int grpcStatus)
    {
        var on = RetryOn;
        if ((on & RetryOn.FiveXx) != 0 && status >= 500)
        {
            return true;
        }

        if ((on & RetryOn.GatewayError) != 0 && status is 502 or 503 or 504)
        {
            return true;
        }

        if ((on & RetryOn.Retriable4xx) != 0 && status == 409)
        {
            return true;
        }

        if ((on & RetryOn.RetriableStatusCodes) != 0 && (uint)status < 600 && _retriableStatus[status])
        {
            return true;
        }

        return grpcStatus switch
        {
            GrpcCancelled => (on & RetryOn.GrpcCancelled) != 0,
            GrpcDeadlineExceeded => (on & RetryOn.GrpcDeadlineExceeded) != 0,
            GrpcResourceExhausted => (on & RetryOn.GrpcResourceExhausted) != 0,
            GrpcInternal => (on & RetryOn.GrpcInternal) != 0,
            GrpcUnavailable => (on & RetryOn.GrpcUnavailable) != 0,
            _ => false,
        };
    }

    /// <summary>Whether an attempt that produced no response is retriable (Envoy's wouldRetryFromReset).</summary>
    public bool ShouldRetryFailure(UpstreamFailure failure)
    {
        var on = RetryOn;
        if ((on & (RetryOn.FiveXx | RetryOn.GatewayError | RetryOn.Reset)) != 0)
        {
            return true;
        }

        return failure switch
        {
            UpstreamFailure.ConnectFailure => (on & RetryOn.ConnectFailure) != 0,
            UpstreamFailure.RefusedStream => (on & RetryOn.RefusedStream) != 0,
            _ => false,
        };
    }
}
