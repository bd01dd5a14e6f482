using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>One tcp-load phase of one round, with the proxies' CPU and memory over exactly its measured window.</summary>
public sealed record TcpPhaseResult(TcpLoadResult Load, double ProxyCpuSeconds, IReadOnlyList<ProcessSample> Processes);

/// <summary>One round of a TCP configuration: bulk, short connections, 1-byte echo at a fixed rate.</summary>
public sealed record TcpRepetitionResult(int Repetition, TcpPhaseResult? Bulk, TcpPhaseResult? Connect, TcpPhaseResult? Echo, string? Error);

/// <summary>Medians over the rounds, and the ratios the goals are stated in.</summary>
public sealed record TcpSummary
{
    /// <summary>Payload MB/s that came back through the path (each byte crossed it twice).</summary>
    public double BulkMegabytesPerSecond { get; init; }

    /// <summary>The same per second of proxy CPU (all proxies of the path together); null without proxies.</summary>
    public double? BulkMegabytesPerCore { get; init; }

    /// <summary>Bulk per core relative to tcp-haproxy in the same run.</summary>
    public double? BulkPerCoreRatioToHaproxy { get; init; }

    /// <summary>Bulk per core relative to tcp-nginx-2-tls (two nginx with mutual TLS) in the same run.</summary>
    public double? BulkPerCoreRatioToNginxTls { get; init; }

    public double ConnectionsPerSecond { get; init; }

    /// <summary>Proxy CPU per short connection (µs); null without proxies.</summary>
    public double? ProxyCpuUsPerConnection { get; init; }

    public double? ConnectionsRatioToHaproxy { get; init; }

    public double EchoRate { get; init; }

    public double EchoP50Ms { get; init; }

    public double EchoP90Ms { get; init; }

    public double EchoP99Ms { get; init; }

    /// <summary>Largest peak RSS of one proxy process within the echo window.</summary>
    public long PeakRssAtRateBytes { get; init; }

    /// <summary>Largest peak RSS of one proxy process over its whole life (bulk included).</summary>
    public long PeakRssOverallBytes { get; init; }

    public long Errors { get; init; }
}

public sealed record TcpScenarioResult
{
    public required string Name { get; init; }

    public required string Title { get; init; }

    /// <summary>ok or failed (could not start, or every round failed).</summary>
    public required string Status { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<string> Processes { get; init; } = [];

    public IReadOnlyList<TcpRepetitionResult> Repetitions { get; init; } = [];

    public TcpSummary? Median { get; init; }
}
