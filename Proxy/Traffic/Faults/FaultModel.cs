namespace Mesh.Proxy.Traffic.Faults;

/// <summary>
/// A route's compiled Istio <c>fault</c>: an optional delay and an optional abort, each applied to
/// a percentage of requests (rolled independently, delay first, as Envoy's fault filter does).
/// </summary>
internal sealed class FaultModel
{
    public TimeSpan Delay { get; init; }

    /// <summary>0-100; 0 disables the delay.</summary>
    public double DelayPercentage { get; init; }

    /// <summary>HTTP status of the abort; 0 when the abort is a gRPC status or there is none.</summary>
    public int AbortHttpStatus { get; init; }

    /// <summary>gRPC status code of the abort; -1 when the abort is an HTTP status or there is none.</summary>
    public int AbortGrpcStatus { get; init; } = -1;

    /// <summary>0-100; 0 disables the abort.</summary>
    public double AbortPercentage { get; init; }

    public bool HasDelay => Delay > TimeSpan.Zero && DelayPercentage > 0;

    public bool HasAbort => (AbortHttpStatus != 0 || AbortGrpcStatus >= 0) && AbortPercentage > 0;
}
