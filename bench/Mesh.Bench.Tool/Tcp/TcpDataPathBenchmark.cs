using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Scenarios;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// The TCP rows, run like the HTTP data path: every configuration side by side, a warm-up of bulk
/// load, then interleaved rounds, each measuring bulk throughput, short connections and the 1-byte
/// echo at the fixed rate for every configuration, with the proxies' CPU over each window.
/// </summary>
public sealed class TcpDataPathBenchmark(RunContext run, SharedServices shared)
{
    public async Task<IReadOnlyList<TcpScenarioResult>> RunAsync()
    {
        var settings = run.Settings;
        var scenarios = ScenarioSelection.Select(TcpScenarioCatalog.All(), settings.Only);
        if (scenarios.Count == 0)
        {
            return [];
        }

        var repetitions = scenarios.ToDictionary(s => s, _ => new List<TcpRepetitionResult>());
        var started = new StartedScenarios();
        try
        {
            var live = await started.StartAllAsync(run, shared, scenarios);
            foreach (var scenario in live)
            {
                var seconds = scenario.Dotnet ? settings.DotnetWarmupSeconds : settings.NativeWarmupSeconds;
                run.Log($"warming up {scenario.Name} for {seconds:0} s (bulk and short connections)");
                try
                {
                    await LoadAsync(scenario, "bulk", seconds / 2, settings.TcpBulkConnections);
                    await LoadAsync(scenario, "connect", seconds / 2, settings.Connections);
                }
                catch (Exception ex)
                {
                    run.Log($"  warm-up of {scenario.Name} failed: {ex.Message}");
                }
            }

            for (var round = 0; round < settings.Repetitions; round++)
            {
                for (var i = 0; i < live.Count; i++)
                {
                    var scenario = live[(i + round) % live.Count];
                    repetitions[scenario].Add(await MeasureAsync(scenario, round + 1));
                }
            }
        }
        finally
        {
            foreach (var scenario in scenarios)
            {
                await scenario.StopAsync(run);
            }
        }

        return TcpSummaries.WithRatios([.. scenarios.Select(s => TcpSummaries.Result(
            s, started.ProcessNames.GetValueOrDefault(s) ?? [], started.Failures.GetValueOrDefault(s), repetitions[s]))]);
    }

    private async Task<TcpRepetitionResult> MeasureAsync(TcpScenario scenario, int round)
    {
        var s = run.Settings;
        try
        {
            var bulk = await LoadAsync(scenario, "bulk", s.SaturationSeconds, s.TcpBulkConnections);
            var connect = await LoadAsync(scenario, "connect", s.SaturationSeconds, s.Connections);
            var echo = await LoadAsync(scenario, "echo", s.OpenLoopSeconds, s.OpenLoopConnections, resetPeakRss: true);
            var latency = echo.Load.Latency;
            run.Log($"round {round} {scenario.Name}: bulk {bulk.Load.MegabytesPerSecond:0.0} MB/s ({bulk.Load.Errors} errors), {bulk.ProxyCpuSeconds:0.00} s proxy CPU; " +
                    $"{connect.Load.ConnectionsPerSecond:0} connections/s ({connect.Load.Errors} errors); " +
                    $"echo at {latency?.AchievedRate:0}/s p50 {latency?.P50Ms:0.000} p99 {latency?.P99Ms:0.000} ms ({echo.Load.Errors} errors)" +
                    ((bulk.Load.FirstError ?? connect.Load.FirstError ?? echo.Load.FirstError) is { } first ? $"; first error: {first}" : ""));
            return new TcpRepetitionResult(round, bulk, connect, echo, null);
        }
        catch (Exception ex)
        {
            run.Log($"round {round} {scenario.Name} failed: {ex.Message}");
            return new TcpRepetitionResult(round, null, null, null, ex.Message);
        }
    }

    private async Task<TcpPhaseResult> LoadAsync(TcpScenario scenario, string mode, double seconds, int connections, bool resetPeakRss = false)
    {
        var s = run.Settings;
        var meter = new PhaseMeter(scenario.Proxies);
        (TimeSpan Elapsed, IReadOnlyList<ProcessSample> Samples)? window = null;
        var load = await TcpLoadRunner.RunAsync(
            new TcpLoadRequest(mode, scenario.Port, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(mode == "echo" ? s.OpenLoopWarmupSeconds : 1), connections, s.Rate, s.LoadCpus),
            () => meter.Start(resetPeakRss),
            () => window = meter.Stop());
        var (_, samples) = window ?? throw new InvalidOperationException($"tcp-load {mode} did not mark its measured window");
        return new TcpPhaseResult(load, samples.Sum(p => p.CpuSeconds), samples);
    }
}
