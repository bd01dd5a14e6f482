namespace Mesh.Bench.Tool.Orchestration;

/// <summary>How to start one process of a benchmark: command, arguments, environment and the CPUs it is pinned to.</summary>
public sealed record ProcessSpec
{
    /// <summary>Short name for logs and results ("nginx-backend", "sidecar2-client").</summary>
    public required string Name { get; init; }

    public required string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>taskset CPU list ("1", "0-1"); null runs unpinned.</summary>
    public string? Cpus { get; init; }

    public string? WorkingDirectory { get; init; }
}
