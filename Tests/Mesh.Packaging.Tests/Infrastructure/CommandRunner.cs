using System.Diagnostics;
using System.Text;

namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>
/// Runs the .NET CLI (and the tools it installs) the way a user's shell would, with no MSBuild node
/// or build server outliving a command. With a packages folder, NuGet extracts into it instead of
/// the machine's cache (the user's side: see <see cref="PackagedMesh"/>); without, the repository's
/// own commands run as they would in a terminal.
/// </summary>
internal sealed class CommandRunner(string? packagesFolder)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Runs to completion; a non-zero exit fails the test with the command's output.</summary>
    public async Task<string> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan? timeout = null)
    {
        var (exitCode, output) = await TryRunAsync(program, arguments, workingDirectory, timeout);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }

    public async Task<(int ExitCode, string Output)> TryRunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan? timeout = null)
    {
        using var process = Start(program, arguments, workingDirectory, out var output);
        using var cancel = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {(timeout ?? DefaultTimeout).TotalMinutes} min:\n{output}");
        }

        process.WaitForExit(); // the output handlers have drained
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Starts a long-running command; dispose the result to stop it.</summary>
    public RunningCommand StartLongRunning(string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var process = Start(program, arguments, workingDirectory, out var output, environment);
        return new RunningCommand(process, output);
    }

    private Process Start(string program, IEnumerable<string> arguments, string workingDirectory, out StringBuilder output, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var env = start.Environment;
        if (packagesFolder is not null)
        {
            env["NUGET_PACKAGES"] = packagesFolder;
        }

        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        env["DOTNET_NOLOGO"] = "1";
        env["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        env["MSBUILDDISABLENODEREUSE"] = "1";
        env["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        env["UseSharedCompilation"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        var text = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(text, e.Data);
        process.ErrorDataReceived += (_, e) => Append(text, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = text;
        return process;
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }
}

/// <summary>
/// A command left running (the AppHost). Disposing asks it to stop as Ctrl+C would (SIGTERM:
/// Aspire stops its resources) and kills what is left after a grace period.
/// </summary>
internal sealed class RunningCommand(Process process, StringBuilder output) : IAsyncDisposable
{
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public bool HasExited => process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            foreach (var pid in ProcessTree.Of(process.Id).Reverse())
            {
                ProcessTree.Terminate(pid);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }
}
