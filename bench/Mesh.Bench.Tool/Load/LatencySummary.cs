namespace Mesh.Bench.Tool.Load;

/// <summary>Result of one open-loop run; latencies are measured from each request's scheduled send time.</summary>
public sealed record LatencySummary
{
    public int Scheduled { get; init; }

    public int Completed { get; init; }

    /// <summary>Failed, wrong (status or body size) or unanswered requests.</summary>
    public int Errors { get; init; }

    public double AchievedRate { get; init; }

    public double MeanMs { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    public double P999Ms { get; init; }

    public double MaxMs { get; init; }

    /// <summary>The generator's own lateness (actual send − scheduled); large values mean it did not keep up.</summary>
    public double DispatchLagP99Ms { get; init; }

    public double DispatchLagMaxMs { get; init; }

    /// <summary>Connections the generator had to re-open (server closed them); 0 in a healthy run.</summary>
    public int Reconnects { get; init; }

    public string? FirstError { get; init; }
}
