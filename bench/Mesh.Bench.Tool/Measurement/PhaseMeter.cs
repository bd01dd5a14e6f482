using System.Diagnostics;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Measurement;

/// <summary>
/// Measures the processes of a configuration over one phase: CPU seconds between
/// <see cref="Start"/> and <see cref="Stop"/> and, when asked, the peak RSS within the phase
/// (VmHWM is reset at the start). Each process counts with its children (nginx/haproxy workers).
/// </summary>
public sealed class PhaseMeter
{
    private readonly IReadOnlyList<ManagedProcess> _processes;
    private readonly Dictionary<int, double> _cpuAtStart = [];
    private long _startTimestamp;

    public PhaseMeter(IReadOnlyList<ManagedProcess> processes) => _processes = processes;

    public void Start(bool resetPeakRss)
    {
        _cpuAtStart.Clear();
        foreach (var process in _processes)
        {
            foreach (var pid in ProcReader.WithDescendants(process.Pid))
            {
                if (resetPeakRss)
                {
                    ProcReader.ResetPeakRss(pid);
                }

                _cpuAtStart[pid] = ProcReader.CpuSeconds(pid) ?? 0;
            }
        }

        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public (TimeSpan Elapsed, IReadOnlyList<ProcessSample> Samples) Stop()
    {
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        var samples = new List<ProcessSample>();
        foreach (var process in _processes)
        {
            double cpu = 0;
            long rss = 0, peak = 0, pss = 0, uss = 0;
            foreach (var pid in ProcReader.WithDescendants(process.Pid))
            {
                if (ProcReader.CpuSeconds(pid) is { } now)
                {
                    cpu += now - _cpuAtStart.GetValueOrDefault(pid);
                }

                if (ProcReader.Memory(pid) is { } memory)
                {
                    rss += memory.Rss;
                    peak += memory.PeakRss;
                }

                if (ProcReader.SharedAwareMemory(pid) is { } shared)
                {
                    pss += shared.Pss;
                    uss += shared.Uss;
                }
            }

            samples.Add(new ProcessSample(process.Name, cpu, rss, peak, pss, uss));
        }

        return (elapsed, samples);
    }
}
