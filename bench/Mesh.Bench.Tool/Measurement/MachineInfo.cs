using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mesh.Bench.Tool.Measurement;

/// <summary>The machine a run happened on, and how busy it was (other work shares the cores).</summary>
public sealed record MachineInfo
{
    public string CpuModel { get; init; } = "";

    public int LogicalCpus { get; init; }

    public long MemoryBytes { get; init; }

    public string Os { get; init; } = "";

    public string Kernel { get; init; } = "";

    public string Runtime { get; init; } = "";

    public IReadOnlyDictionary<string, string> Tools { get; init; } = new Dictionary<string, string>();

    public static MachineInfo Collect() => new()
    {
        CpuModel = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown",
        LogicalCpus = OnlineCpus(),
        MemoryBytes = (ProcReader.KiloBytes(File.ReadLines("/proc/meminfo").First()) ?? 0) * 1024,
        Os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? ""
            : "",
        Kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        Runtime = RuntimeInformation.FrameworkDescription,
        Tools = new Dictionary<string, string>
        {
            ["nginx"] = Version("nginx", "-v"),
            ["haproxy"] = Version("haproxy", "-v"),
            ["wrk"] = Version("wrk", "-v"),
            ["h2load"] = Version("h2load", "--version"),
        },
    };

    /// <summary>
    /// CPUs of the machine, not of this process: bench/run pins the orchestrator to the load CPUs,
    /// so Environment.ProcessorCount would see only those.
    /// </summary>
    public static int OnlineCpus()
    {
        try
        {
            var count = 0;
            foreach (var range in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
            {
                var bounds = range.Split('-');
                count += bounds.Length == 1 ? 1 : int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture) - int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture) + 1;
            }

            return count;
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }

    /// <summary>The 1-minute load average (runnable tasks; above the CPU count the machine was oversubscribed).</summary>
    public static double LoadAverage() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static string Version(string tool, string flag)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(tool, flag) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null)
            {
                return "unknown";
            }

            var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit(5000);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "missing";
        }
    }
}
