namespace Mesh.Bench.Tool.Measurement;

/// <summary>
/// What one measured process (with its children) used during a phase: CPU seconds, RSS at the
/// end, peak RSS (VmHWM) within the phase, and PSS/USS at the end (shared runtime pages split
/// between processes / only the process's own pages).
/// </summary>
public sealed record ProcessSample(string Name, double CpuSeconds, long RssBytes, long PeakRssBytes, long PssBytes, long UssBytes);
