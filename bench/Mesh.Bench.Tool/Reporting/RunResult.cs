using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Reporting;

/// <summary>The results file (bench/results/&lt;run id&gt;.json).</summary>
public sealed record RunResult
{
    public required string RunId { get; init; }

    public required string Mode { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    /// <summary>The commit the binaries were built from, and whether the tree had uncommitted product changes.</summary>
    public SourceInfo? Source { get; init; }

    /// <summary>1-minute load averages sampled through the run (min, median, max).</summary>
    public double[] LoadAverage { get; init; } = [];

    public required BenchSettings Settings { get; init; }

    public string Method { get; init; } = "";

    public IReadOnlyList<ScenarioResult> DataPath { get; init; } = [];

    /// <summary>The TCP rows (bulk, short connections, 1-byte echo).</summary>
    public IReadOnlyList<Tcp.TcpScenarioResult> TcpDataPath { get; init; } = [];

    /// <summary>The JIT sidecar first, then the Native AOT one when it was built.</summary>
    public IReadOnlyList<StartupResult> Startup { get; init; } = [];

    public IReadOnlyList<ControlPlaneRun> ControlPlane { get; init; } = [];

    public IReadOnlyList<GoalResult> Goals { get; init; } = [];
}

/// <summary>Where the measured binaries came from.</summary>
public sealed record SourceInfo(string Commit, int UncommittedFiles);

/// <summary>One goal of the benchmark issue, with what this run measured (null Met: not measured).</summary>
public sealed record GoalResult(string Goal, string Target, string Measured, bool? Met);
