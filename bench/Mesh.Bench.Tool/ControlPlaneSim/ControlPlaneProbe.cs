using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// Reads the control plane's CPU time and memory from /proc around the simulation's phases. A
/// reading that fails (the process is gone, /proc does not read as expected) answers NaN or null
/// and is recorded with its phase in <see cref="Failures"/>, which the result reports: a failed
/// measurement is a gap in the table, never the end of the run.
/// </summary>
public sealed class ControlPlaneProbe(int pid)
{
    private readonly List<string> _failures = [];

    public bool Enabled => pid > 0;

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>CPU seconds the control plane used so far; NaN when not measured or unreadable.</summary>
    public double Cpu(string phase)
    {
        if (!Enabled)
        {
            return double.NaN;
        }

        if (Guard(() => ProcReader.CpuSeconds(pid), phase, "CPU time") is { } seconds)
        {
            return seconds;
        }

        return double.NaN;
    }

    /// <summary>RSS and peak RSS in bytes; null when not measured or unreadable.</summary>
    public (long Rss, long PeakRss)? Memory(string phase) =>
        Enabled ? Guard(() => ProcReader.Memory(pid), phase, "memory") : null;

    private T? Guard<T>(Func<T?> read, string phase, string what) where T : struct
    {
        try
        {
            if (read() is { } value)
            {
                return value;
            }

            Record($"{what} at '{phase}': /proc/{pid} could not be read (process gone?)");
        }
        catch (Exception ex)
        {
            Record($"{what} at '{phase}': {ex.GetType().Name}: {ex.Message}");
        }

        return null;
    }

    private void Record(string failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}
