using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.Reporting;

/// <summary>Closed-loop saturation of one repetition; CPU is the measured proxies' (backend excluded).</summary>
public sealed record SaturationResult(
    double Seconds,
    double RequestsPerSecond,
    long Requests,
    long Errors,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double ProxyCpuUsPerRequest,
    IReadOnlyList<ProcessSample> Processes);

/// <summary>
/// Open-loop fixed rate of one repetition: latency from scheduled send times; CPU and peak RSS
/// of each proxy process within the measured window.
/// </summary>
public sealed record FixedRateResult(
    double Seconds,
    LatencySummary Latency,
    double ProxyVcpuPer1kRps,
    IReadOnlyList<ProcessSample> Processes);

public sealed record RepetitionResult(int Repetition, SaturationResult? Saturation, FixedRateResult? FixedRate, string? Error);

/// <summary>Medians over the repetitions, and the headline ratios.</summary>
public sealed record ScenarioSummary
{
    public double RequestsPerSecond { get; init; }

    public double RequestsPerSecondMin { get; init; }

    public double RequestsPerSecondMax { get; init; }

    /// <summary>Throughput relative to one nginx proxy in the same run (HTTP) — the headline.</summary>
    public double? RatioToNginx { get; init; }

    /// <summary>Throughput relative to no proxy at all (gRPC: relative to grpc-direct).</summary>
    public double? RatioToDirect { get; init; }

    public double ProxyCpuUsPerRequest { get; init; }

    public double P50Ms { get; init; }

    public double P90Ms { get; init; }

    public double P99Ms { get; init; }

    /// <summary>Latency the path adds over direct at the fixed rate (medians of each).</summary>
    public double? AddedP50Ms { get; init; }

    public double? AddedP90Ms { get; init; }

    public double? AddedP99Ms { get; init; }

    /// <summary>vCPU used by all proxies of the path per 1,000 req/s at the fixed rate.</summary>
    public double ProxyVcpuPer1kRps { get; init; }

    /// <summary>The busiest single proxy process, vCPU per 1,000 req/s.</summary>
    public double MaxProcessVcpuPer1kRps { get; init; }

    /// <summary>Largest peak RSS of one proxy process within the fixed-rate window.</summary>
    public long PeakRssAtRateBytes { get; init; }

    /// <summary>Largest unique memory (USS: private pages, no shared runtime files) of one proxy process at the end of the fixed-rate window.</summary>
    public long UssAtRateBytes { get; init; }

    /// <summary>Largest proportional memory (PSS) of one proxy process at the end of the fixed-rate window.</summary>
    public long PssAtRateBytes { get; init; }

    /// <summary>Largest peak RSS of one proxy process over its whole life (includes saturation).</summary>
    public long PeakRssOverallBytes { get; init; }

    public long Errors { get; init; }
}

public sealed record ScenarioResult
{
    public required string Name { get; init; }

    public required string Title { get; init; }

    public bool Grpc { get; init; }

    /// <summary>ok, failed (could not start or every repetition failed) or skipped.</summary>
    public required string Status { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<string> Processes { get; init; } = [];

    public IReadOnlyList<RepetitionResult> Repetitions { get; init; } = [];

    public ScenarioSummary? Median { get; init; }
}
