using System.Diagnostics;

namespace Mesh.ControlPlane.Gateways;

/// <summary>Finds and ends a gateway process by pid, only when it still runs the gateway program (pids are reused).</summary>
internal static class LeftoverProcess
{
    public static bool IsGateway(int pid, string program)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            // Linux: the command line names the program (dotnet Mesh.Gateway.dll, or the executable).
            var commandLine = $"/proc/{pid}/cmdline";
            if (File.Exists(commandLine))
            {
                return File.ReadAllText(commandLine).Replace('\0', ' ').Contains(Path.GetFileNameWithoutExtension(program), StringComparison.Ordinal);
            }

            return process.MainModule?.FileName is { } file
                && (file.Contains(Path.GetFileNameWithoutExtension(program), StringComparison.Ordinal) || Path.GetFileNameWithoutExtension(file) == "dotnet");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static void End(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone meanwhile.
        }
    }
}
