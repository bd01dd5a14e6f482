using System.ComponentModel;
using System.Diagnostics;

namespace Mesh.Sidecar.Capture;

/// <summary>The host's iptables (nat table): read with iptables-save, changed atomically with iptables-restore --noflush.</summary>
internal static class Iptables
{
    public static string SaveNat() => Run("iptables-save", ["-t", "nat"], stdin: null);

    public static void Restore(string script) => Run("iptables-restore", ["--noflush"], script);

    private static string Run(string file, IReadOnlyList<string> arguments, string? stdin)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CaptureFailedException($"{file} did not start");
        }
        catch (Win32Exception ex)
        {
            throw new CaptureFailedException($"{file} cannot be run ({ex.Message}); capture needs iptables (Debian: apt-get install iptables)");
        }

        using (process)
        {
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new CaptureFailedException($"{file} {string.Join(' ', arguments)} failed (exit {process.ExitCode}): {error.Trim()} (capture needs root or CAP_NET_ADMIN)");
            }

            return output.Result;
        }
    }
}

/// <summary>iptables refused or is missing; the message says why.</summary>
internal sealed class CaptureFailedException(string message) : Exception(message);
