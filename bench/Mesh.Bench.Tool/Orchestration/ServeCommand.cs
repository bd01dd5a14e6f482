using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Scenarios;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// <c>mesh-bench serve --only sidecar-1,...</c>: starts the shared backends, the control plane and
/// the chosen configurations exactly as the benchmark does, prints where to send load and the
/// pids to profile (dotnet-counters, dotnet-trace), and keeps them up until stopped (Ctrl+C).
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var settings = BenchSettings.FromArguments(args);
        var wanted = settings.Only ?? throw new UsageException("serve needs --only with the configurations to start");
        using var stop = new StopSignal();
        await using var run = new RunContext(settings);
        var shared = await SharedServices.StartAsync(run);
        var scenarios = ScenarioSelection.Select<Scenario>([.. ScenarioCatalog.All(), .. Tcp.TcpScenarioCatalog.All()], wanted);
        foreach (var scenario in scenarios)
        {
            await scenario.StartAsync(run, shared);
            run.Log($"{scenario.Name}: send load to {scenario.Target} ({string.Join(", ", scenario.Proxies.Select(p => $"{p.Name} pid {p.Pid}"))})");
        }

        run.Log($"backend pid {shared.Backend.Pid} on :{shared.BackendPort}, control plane pid {shared.ControlPlane.Pid} (admin :{shared.ControlPlaneAdminPort}); Ctrl+C or SIGTERM stops everything");
        await stop.Signalled;
        foreach (var scenario in scenarios)
        {
            await scenario.StopAsync(run);
        }

        return 0;
    }
}
