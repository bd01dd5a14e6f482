using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.Soak;

/// <summary>One process of the AppHost's tree at one moment: what it is, its resident memory, open file descriptors and, for .NET, its live managed heap.</summary>
public sealed record ProcessSnapshot(int Pid, string Name, long RssBytes, int OpenFds, long? LiveHeapBytes = null);

/// <summary>The AppHost's processes: the AppHost, DCP, the control plane, proxies, apps, the dashboard.</summary>
public static class SoakProcesses
{
    /// <summary>
    /// The AppHost's tree, and what Aspire's orchestrator (DCP) started: DCP detaches from the
    /// AppHost, so its resources are not descendants. They are the processes started since the
    /// AppHost whose command line is in the repository (the projects and the mesh's programs) or
    /// in Aspire's packages (DCP, the dashboard), with their own descendants. This harness is not.
    /// </summary>
    private static readonly string[] AspirePackages = ["aspire.hosting.orchestration", "aspire.dashboard.sdk"];

    public static IReadOnlyList<int> Find(int root, string repository)
    {
        var since = ProcReader.StartTicks(root) ?? 0;
        // Only the harness itself is left out: the AppHost it started is its descendant.
        var self = System.Environment.ProcessId;
        var found = new HashSet<int>(ProcReader.WithDescendants(root));
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != self && !found.Contains(pid)
                && ProcReader.StartTicks(pid) >= since && CommandLine(pid) is { } command
                && (command.Contains(repository, StringComparison.Ordinal) || AspirePackages.Any(p => command.Contains(p, StringComparison.OrdinalIgnoreCase))))
            {
                found.UnionWith(ProcReader.WithDescendants(pid));
            }
        }

        found.Remove(self);
        return [.. found.Order()];
    }

    /// <summary><see cref="Sample"/>, and each .NET process's live heap (<see cref="LiveHeapSampler"/>: one induced full GC each).</summary>
    public static async Task<IReadOnlyList<ProcessSnapshot>> SampleWithLiveHeapAsync(IEnumerable<int> pids)
    {
        var sampled = new List<ProcessSnapshot>();
        foreach (var snapshot in Sample(pids))
        {
            sampled.Add(snapshot with { LiveHeapBytes = await LiveHeapSampler.MeasureAsync(snapshot.Pid, TimeSpan.FromSeconds(15)) });
        }

        return sampled;
    }

    public static IReadOnlyList<ProcessSnapshot> Sample(IEnumerable<int> pids) =>
        [.. pids
            .Select(pid => ProcReader.Memory(pid) is { } memory && Name(pid) is { } name
                ? new ProcessSnapshot(pid, name, memory.Rss, OpenFds(pid))
                : null)
            .OfType<ProcessSnapshot>()];

    /// <summary>
    /// A readable name: the program (the .dll for <c>dotnet x.dll</c>), and for the mesh's proxies
    /// their node id (every sidecar is the same program).
    /// </summary>
    public static string? Name(int pid)
    {
        var argv = CommandLine(pid)?.Split('\0', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (argv.Length == 0)
        {
            return null;
        }

        var program = Path.GetFileName(argv[0]);
        if (program == "dotnet" && argv.Skip(1).FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) is { } dll)
        {
            program = Path.GetFileNameWithoutExtension(dll);
        }

        return Environment(pid, "Mesh__Node__Id") is { } node ? $"{program} ({node})" : program;
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Environment(int pid, string name)
    {
        try
        {
            var prefix = name + "=";
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0').FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int OpenFds(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
