using System.Diagnostics;

namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>
/// Runs k8s-validate/validate.mjs (npm kubernetes-models and @kubernetes-models/istio, installed by
/// .ci/install-deps) over files or folders and returns its exit code and report.
/// </summary>
internal static class NodeValidator
{
    public static string Directory => Path.Combine(RepositoryPaths.TestProject, "k8s-validate");

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] targets)
    {
        Assert.True(System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "kubernetes-models")),
            "The npm validators are not installed: run .ci/install-deps (npm ci in Tests/Mesh.Hosting.Tests/k8s-validate).");
        return await Processes.RunAsync("node", [Path.Combine(Directory, "validate.mjs"), .. targets], Directory);
    }
}

/// <summary>Runs a process to completion with a timeout, capturing its output.</summary>
internal static class Processes
{
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, int timeoutSeconds = 120)
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

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeoutSeconds} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>A fact that runs only where kubectl is installed (it is optional on these machines).</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (!Processes.OnPath("kubectl"))
        {
            Skip = "kubectl is not installed";
        }
    }
}
