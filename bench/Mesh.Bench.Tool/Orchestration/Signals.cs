using System.Runtime.InteropServices;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>POSIX signals to processes the harness started (always by their own pid).</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
