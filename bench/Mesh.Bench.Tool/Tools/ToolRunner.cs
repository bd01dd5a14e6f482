using System.Diagnostics;
using System.Text;

namespace Mesh.Bench.Tool.Tools;

/// <summary>Runs a load tool pinned to the load-generator CPUs and returns its output.</summary>
public static class ToolRunner
{
    public static async Task<string> RunAsync(string? cpus, string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo
        {
            FileName = cpus is null ? fileName : "taskset",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpus is not null)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(cpus);
            info.ArgumentList.Add(fileName);
        }

        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        var gate = new Lock();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                output.AppendLine(line);
            }

            onLine?.Invoke(line);
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds:0} s");
        }

        // WaitForExitAsync returns after the output streams reached EOF.
        string text;
        lock (gate)
        {
            text = output.ToString();
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited with {process.ExitCode}:\n{text}");
        }

        return text;
    }
}
