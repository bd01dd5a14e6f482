namespace Mesh.Bench.Tool.Tools;

/// <summary>A closed-loop (saturation) run: throughput, latency as the load generator saw it, and failures.</summary>
public sealed record ClosedLoopResult
{
    public double RequestsPerSecond { get; init; }

    public long Requests { get; init; }

    /// <summary>Non-2xx responses plus socket errors and timeouts.</summary>
    public long Errors { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    public string? RawOutput { get; init; }
}
