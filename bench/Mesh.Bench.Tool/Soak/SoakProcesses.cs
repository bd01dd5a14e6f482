using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.Soak;

/// <summary>One process of the AppHost's tree at one moment: what it is, its resident memory and open file descriptors.</summary>
public sealed record ProcessSnapshot(int Pid, string Name, long RssBytes, int OpenFds);

/// <summary>The AppHost's processes (the AppHost, DCP, the control plane, proxies, apps, the dashboard) found under its root process.</summary>
public static class SoakProcesses
{
    public static IReadOnlyList<ProcessSnapshot> Sample(int root) =>
        [.. ProcReader.WithDescendants(root)
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
        string[] argv;
        try
        {
            argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

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
