using System.Globalization;
using System.Runtime.InteropServices;

namespace Mesh.Bench.Tool.Measurement;

/// <summary>
/// CPU time and memory of processes from /proc: utime+stime of /proc/&lt;pid&gt;/stat (clock
/// ticks), VmRSS and VmHWM (peak RSS) of /proc/&lt;pid&gt;/status, and the peak reset through
/// /proc/&lt;pid&gt;/clear_refs ("5") so a phase's own peak can be read. Every reader answers
/// null rather than throwing when the process is gone or a file does not read as expected: a
/// measurement that fails is reported as missing, it never ends the run.
/// </summary>
public static partial class ProcReader
{
    private const int ScClkTck = 2;

    public static readonly long TicksPerSecond = Math.Max(1, sysconf(ScClkTck));

    /// <summary>CPU seconds (user + system) the process has used so far; null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        var rest = StatFields(pid);
        return rest is { Length: > 12 }
            && long.TryParse(rest[11], NumberStyles.None, CultureInfo.InvariantCulture, out var utime)
            && long.TryParse(rest[12], NumberStyles.None, CultureInfo.InvariantCulture, out var stime)
            ? (utime + stime) / (double)TicksPerSecond
            : null;
    }

    /// <summary>Parent pid of a process (field 4 of stat); null when it is gone.</summary>
    public static int? ParentPid(int pid)
    {
        var rest = StatFields(pid);
        return rest is { Length: > 1 } && int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
    }

    /// <summary>When the process started, in clock ticks since boot (field 22 of stat); null when it is gone.</summary>
    public static long? StartTicks(int pid)
    {
        var rest = StatFields(pid);
        return rest is { Length: > 19 } && long.TryParse(rest[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }

    /// <summary>VmRSS and VmHWM in bytes; null when the process is gone or the values do not read.</summary>
    public static (long Rss, long PeakRss)? Memory(int pid)
    {
        if (ReadLines($"/proc/{pid}/status") is not { } lines)
        {
            return null;
        }

        long? rss = null, hwm = null;
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

        return rss is { } r && hwm is { } h ? (r * 1024, h * 1024) : null;
    }

    /// <summary>
    /// Proportional (PSS: shared pages divided among their users) and unique (USS: private pages)
    /// memory in bytes from /proc/&lt;pid&gt;/smaps_rollup. RSS counts the shared .NET runtime
    /// files in full for every process; USS is what one more sidecar really adds.
    /// </summary>
    public static (long Pss, long Uss)? SharedAwareMemory(int pid)
    {
        if (ReadLines($"/proc/{pid}/smaps_rollup") is not { } lines)
        {
            return null;
        }

        long? pss = null, privateClean = null, privateDirty = null;
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

        return pss is { } p && privateClean is { } clean && privateDirty is { } dirty ? (p * 1024, (clean + dirty) * 1024) : null;
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

    /// <summary>
    /// The number of a <c>Name: value kB</c> line of /proc/&lt;pid&gt;/status, smaps_rollup or
    /// /proc/meminfo; null when it does not read as one. The kernel separates the name with a tab
    /// and pads the value with spaces to 8 characters ("VmRSS:\t  123456 kB"); a value of 8 or
    /// more digits (RSS of 10 GB and up) leaves no space after the tab ("VmRSS:\t10000000 kB"),
    /// so the fields are split on any whitespace, not on spaces only.
    /// </summary>
    public static long? KiloBytes(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var fields = line[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name (field 3 onwards); null when unreadable.</summary>
    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may contain spaces and parentheses: the fields after it start behind the last ')'.
        var end = text.LastIndexOf(')');
        return end < 0 || end + 2 > text.Length ? null : text[(end + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string[]? ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long sysconf(int name);
}
