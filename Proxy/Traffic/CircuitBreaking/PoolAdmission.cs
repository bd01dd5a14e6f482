namespace Mesh.Proxy.Traffic.CircuitBreaking;

/// <summary>The outcome of asking a cluster's connection pool for room.</summary>
internal enum PoolAdmission
{
    /// <summary>The request may go upstream now; it must release its slot when done.</summary>
    Admitted,

    /// <summary>The request waits for a connection (<see cref="ConnectionPoolState.WaitAsync"/>).</summary>
    Pending,

    /// <summary>Over the limits: answer 503 with flag UO at once.</summary>
    Overflow,
}
