using System.Diagnostics;
using Mesh.EndToEnd.Tests.Infrastructure;

namespace Mesh.EndToEnd.Tests.Docs;

/// <summary>
/// Runs a task page's steps with bash from the repository root, as a reader would: <c>meshctl</c>
/// is the built CLI pointed at the AppHost's control plane, and the AppHost's fixed addresses in a
/// command (the gateway's http://localhost:8080) are the test AppHost's. The mesh applies changes
/// asynchronously, so a step whose output does not match yet is run again until it does or a
/// deadline passes (the reader's "wait a few seconds and try again").
/// </summary>
internal sealed class TaskPageRunner(MeshAppFixture mesh, Action<string> log)
{
    private static readonly TimeSpan StepDeadline = TimeSpan.FromSeconds(45);

    public async Task RunAsync(TaskPage page)
    {
        foreach (var step in page.Steps)
        {
            await RunStepAsync(page, step);
        }
    }

    private async Task RunStepAsync(TaskPage page, TaskStep step)
    {
        var command = step.Command.Replace("http://localhost:8080", mesh.Gateway.BaseAddress!.ToString().TrimEnd('/'), StringComparison.Ordinal);
        var attempts = 0;
        (int ExitCode, string Output) last = (0, "");
        await Poll.UntilAsync(
            $"docs/tasks/{page.Name}, line {step.Line}: `{step.Command}` to print what the page shows:\n{string.Join('\n', step.Expected)}\n",
            async () =>
            {
                attempts++;
                last = await BashAsync(command);
                return last.ExitCode == 0 && step.Matches(last.Output);
            },
            () => $"exit {last.ExitCode} after {attempts} attempts, printed:\n{last.Output}",
            StepDeadline);
        log($"{page.Name}:{step.Line} $ {step.Command} (attempt {attempts})\n{last.Output.TrimEnd()}");
    }

    private async Task<(int ExitCode, string Output)> BashAsync(string command)
    {
        // meshctl as the page names it: the CLI this test project built.
        var meshctl = $"meshctl() {{ dotnet '{Path.Combine(AppContext.BaseDirectory, "meshctl.dll")}' \"$@\"; }}\n";
        var start = new ProcessStartInfo("bash", ["-o", "pipefail", "-c", meshctl + command])
        {
            WorkingDirectory = MeshAppFixture.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MESH_SERVER"] = mesh.AdminUrl.ToString();
        start.Environment["MESH_TOKEN"] = mesh.AdminToken;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
