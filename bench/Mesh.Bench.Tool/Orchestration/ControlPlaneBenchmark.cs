using System.Globalization;
using System.Text.Json;
using Mesh.Bench.Tool.ControlPlaneSim;
using Mesh.Bench.Tool.Reporting;
using Mesh.Bench.Tool.Tools;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// For each N: a fresh control plane on the CPUs under test (empty config directory) and the
/// simulator with N proxies on the load CPUs; the simulator reads the control plane's CPU and
/// memory from /proc around each phase.
/// </summary>
public sealed class ControlPlaneBenchmark(RunContext run)
{
    public async Task<IReadOnlyList<ControlPlaneRun>> RunAsync()
    {
        var results = new List<ControlPlaneRun>();
        foreach (var proxies in run.Settings.ControlPlaneProxies)
        {
            results.Add(await RunOneAsync(proxies));
        }

        return results;
    }

    private async Task<ControlPlaneRun> RunOneAsync(int proxies)
    {
        var name = $"controlplane-{proxies}";
        var adminPort = run.Ports.Next();
        var grpcPort = run.Ports.Next();
        var configDirectory = Path.Combine(run.RunDirectory, name + "-config");
        Directory.CreateDirectory(configDirectory);
        var process = run.Start(ProcessSpecs.ControlPlane(run, name, adminPort, grpcPort, configDirectory, authenticated: false));
        try
        {
            await Readiness.WaitForOkAsync(run, new Uri($"http://127.0.0.1:{adminPort}/readyz"), TimeSpan.FromSeconds(30), [process]);
            run.Log($"control plane with {proxies} simulated proxies");
            List<string> arguments =
            [
                "cp-sim",
                "--grpc-url", $"http://127.0.0.1:{grpcPort}",
                "--admin-url", $"http://127.0.0.1:{adminPort}",
                "--proxies", proxies.ToString(CultureInfo.InvariantCulture),
                "--changes", run.Settings.ControlPlaneChanges.ToString(CultureInfo.InvariantCulture),
                "--cp-pid", process.Pid.ToString(CultureInfo.InvariantCulture),
            ];
            if (run.Settings.ControlPlaneSidecarScope)
            {
                arguments.Add("--sidecar-scope");
            }

            if (run.Settings.ControlPlaneUncompressed)
            {
                arguments.Add("--uncompressed");
            }

            if (run.Settings.ControlPlaneChurnMs > 0)
            {
                arguments.AddRange(["--churn-ms", run.Settings.ControlPlaneChurnMs.ToString(CultureInfo.InvariantCulture)]);
            }

            var output = await ToolRunner.RunAsync(run.Settings.LoadCpus, SelfCommand.Path, arguments, TimeSpan.FromMinutes(20), line =>
            {
                if (!line.StartsWith(SimulatorCommand.ResultPrefix, StringComparison.Ordinal))
                {
                    run.Log("  " + line);
                }
            });
            var line = output.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.StartsWith(SimulatorCommand.ResultPrefix, StringComparison.Ordinal));
            var result = JsonSerializer.Deserialize<SimulatorResult>(line[SimulatorCommand.ResultPrefix.Length..], ResultJson.Compact);
            return new ControlPlaneRun(proxies, result, null);
        }
        catch (Exception ex)
        {
            run.Log($"control plane with {proxies} proxies failed: {ex.Message}");
            return new ControlPlaneRun(proxies, null, ex.Message);
        }
        finally
        {
            await run.StopAsync(process);
        }
    }
}
