namespace Mesh.Bench.Tool.Measurement;

/// <summary>What one measured process (with its children) used during a phase.</summary>
public sealed record ProcessSample(string Name, double CpuSeconds, long RssBytes, long PeakRssBytes);
