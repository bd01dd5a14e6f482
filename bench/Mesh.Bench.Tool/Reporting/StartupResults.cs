namespace Mesh.Bench.Tool.Reporting;

/// <summary>One sidecar start: exec → /ready (first snapshot applied) and → first proxied 200.</summary>
public sealed record StartupSample(double ReadyMs, double FirstRequestMs, long RssAtReadyBytes);

public sealed record StartupResult(string Binary, IReadOnlyList<StartupSample> Samples, double MedianReadyMs, double MedianFirstRequestMs, long MedianRssAtReadyBytes, string? Error);
