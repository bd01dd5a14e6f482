namespace Mesh.Bench.Tool.Load;

/// <summary>Settings of one open-loop run: a fixed request rate over a fixed time, on a pool of connections.</summary>
public sealed record OpenLoopOptions
{
    public required Uri Target { get; init; }

    /// <summary>Host header to send (defaults to the target's authority).</summary>
    public string? HostHeader { get; init; }

    public double Rate { get; init; } = 1000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public int Connections { get; init; } = 16;

    /// <summary>Expected response body size; other sizes count as errors (0 = do not check).</summary>
    public long ExpectedBodyBytes { get; init; }

    /// <summary>How long to wait for the last in-flight requests after the schedule ended.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);
}
