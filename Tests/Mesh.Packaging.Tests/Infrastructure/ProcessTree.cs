using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>A process and its descendants (Linux: /proc), and a polite stop signal for each.</summary>
internal static class ProcessTree
{
    private const int SigTerm = 15;

    /// <summary>The process first, then its descendants, breadth first.</summary>
    public static IEnumerable<int> Of(int root)
    {
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            yield return pid;
            foreach (var child in Children(pid))
            {
                pending.Enqueue(child);
            }
        }
    }

    public static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }

            return;
        }

        _ = Kill(pid, SigTerm);
    }

    private static IEnumerable<int> Children(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
        {
            return [];
        }

        var children = new List<int>();
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                children.AddRange(File.ReadAllText(Path.Combine(task, "children"))
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(int.Parse));
            }
            catch (IOException)
            {
                // The task ended while being read.
            }
        }

        return children;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
