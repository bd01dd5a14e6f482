using System.Globalization;
using System.Runtime.InteropServices;

namespace Mesh.Bench.Tool.Measurement;

/// <summary>
/// CPU time and memory of processes from /proc: utime+stime of /proc/&lt;pid&gt;/stat (clock
/// ticks), VmRSS and VmHWM (peak RSS) of /proc/&lt;pid&gt;/status, and the peak reset through
/// /proc/&lt;pid&gt;/clear_refs ("5") so a phase's own peak can be read.
/// </summary>
public static partial class ProcReader
{
    private const int ScClkTck = 2;

    public static readonly long TicksPerSecond = Math.Max(1, sysconf(ScClkTck));

    /// <summary>CPU seconds (user + system) the process has used so far; null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name (field 2) may contain spaces: fields after it start behind the last ')'.
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
        return (utime + stime) / (double)TicksPerSecond;
    }

    /// <summary>Parent pid of a process (field 4 of stat); null when it is gone.</summary>
    public static int? ParentPid(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>VmRSS and VmHWM in bytes; null when the process is gone.</summary>
    public static (long Rss, long PeakRss)? Memory(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }

        long rss = 0, hwm = 0;
        foreach (var line in lines)
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiloBytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = KiloBytes(line);
            }
        }

        return (rss * 1024, hwm * 1024);
    }

    /// <summary>
    /// Proportional (PSS: shared pages divided among their users) and unique (USS: private pages)
    /// memory in bytes from /proc/&lt;pid&gt;/smaps_rollup. RSS counts the shared .NET runtime
    /// files in full for every process; USS is what one more sidecar really adds.
    /// </summary>
    public static (long Pss, long Uss)? SharedAwareMemory(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/smaps_rollup");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        long pss = 0, privateClean = 0, privateDirty = 0;
        foreach (var line in lines)
        {
            if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                pss = KiloBytes(line);
            }
            else if (line.StartsWith("Private_Clean:", StringComparison.Ordinal))
            {
                privateClean = KiloBytes(line);
            }
            else if (line.StartsWith("Private_Dirty:", StringComparison.Ordinal))
            {
                privateDirty = KiloBytes(line);
            }
        }

        return (pss * 1024, (privateClean + privateDirty) * 1024);
    }

    /// <summary>Resets VmHWM to the current RSS (Linux ≥ 4.0, needs ownership of the process).</summary>
    public static bool ResetPeakRss(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The process and all its descendants (nginx and haproxy work in child processes).</summary>
    public static IReadOnlyList<int> WithDescendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ParentPid(pid) is { } parent)
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
        }

        var result = new List<int> { root };
        for (var i = 0; i < result.Count; i++)
        {
            if (children.TryGetValue(result[i], out var list))
            {
                result.AddRange(list);
            }
        }

        return result;
    }

    private static long KiloBytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long sysconf(int name);
}
