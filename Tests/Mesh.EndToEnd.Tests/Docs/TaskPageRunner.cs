using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.EndToEnd.Tests.Infrastructure;

namespace Mesh.EndToEnd.Tests.Docs;

/// <summary>
/// Runs a task page's steps with bash from the repository root, as a reader would: <c>meshctl</c>
/// is the built CLI pointed at the AppHost's control plane, and the AppHost's fixed addresses in a
/// command are the test AppHost's: the gateway's http://localhost:8080 and its HTTPS port 8443
/// (<c>:8443</c> after any host name, as in <c>curl --resolve</c>), and the control plane's data
/// directory <c>.mesh-data/</c> (where local credentials live). The mesh applies changes
/// asynchronously, so a step whose output does not match yet is run again until it does or a
/// deadline passes (the reader's "wait a few seconds and try again").
/// </summary>
internal sealed partial class TaskPageRunner(MeshAppFixture mesh, Action<string> log)
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
        var command = ForTestAppHost(step.Command);
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

    private string ForTestAppHost(string command)
    {
        command = command.Replace("http://localhost:8080", mesh.Gateway.BaseAddress!.ToString().TrimEnd('/'), StringComparison.Ordinal);
        command = HttpsPort().Replace(command, $":{mesh.GatewayHttpsUrl.Port.ToString(CultureInfo.InvariantCulture)}");
        return command.Replace(".mesh-data/", mesh.DataDirectory + "/", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?<=[A-Za-z0-9.\]]):8443\b")]
    private static partial Regex HttpsPort();

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
