using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Reporting;
using Mesh.Bench.Tool.Scenarios;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// The data-path comparison: every configuration is started side by side, warmed up, then
/// measured in interleaved rounds (round r starts at a different configuration so no
/// configuration always runs first or last), and summarised as medians with ratios to nginx and
/// to direct from the same run.
/// </summary>
public sealed class DataPathBenchmark(RunContext run, SharedServices shared)
{
    public async Task<IReadOnlyList<ScenarioResult>> RunAsync()
    {
        var settings = run.Settings;
        var scenarios = ScenarioSelection.Select(ScenarioCatalog.All(), settings.Only);
        if (scenarios.Count == 0)
        {
            return [];
        }

        var repetitions = scenarios.ToDictionary(s => s, _ => new List<RepetitionResult>());
        var measurer = new DataPathMeasurer(run);
        var started = new StartedScenarios();
        var failures = started.Failures;
        var processNames = started.ProcessNames;
        try
        {
            var live = await started.StartAllAsync(run, shared, scenarios);
            foreach (var scenario in live)
            {
                var seconds = scenario.Dotnet ? settings.DotnetWarmupSeconds : settings.NativeWarmupSeconds;
                run.Log($"warming up {scenario.Name} for {seconds:0} s");
                await TryAsync(() => measurer.WarmUpAsync(scenario, seconds), scenario.Name);
            }

            for (var round = 0; round < settings.Repetitions; round++)
            {
                for (var i = 0; i < live.Count; i++)
                {
                    var scenario = live[(i + round) % live.Count];
                    repetitions[scenario].Add(await MeasureAsync(measurer, scenario, round + 1));
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

        var results = scenarios.Select(s => Result(s, processNames.GetValueOrDefault(s) ?? [], failures.GetValueOrDefault(s), repetitions[s])).ToList();
        return WithRatios(results);
    }

    private async Task<RepetitionResult> MeasureAsync(DataPathMeasurer measurer, Scenario scenario, int round)
    {
        try
        {
            var saturation = await measurer.SaturateAsync(scenario);
            run.Log($"round {round} {scenario.Name}: {saturation.RequestsPerSecond:0} req/s saturated ({saturation.Errors} errors), {saturation.ProxyCpuUsPerRequest:0.0} µs CPU/req");
            var fixedRate = await measurer.FixedRateAsync(scenario);
            var l = fixedRate.Latency;
            run.Log($"round {round} {scenario.Name}: at {l.AchievedRate:0} req/s p50 {l.P50Ms:0.000} p90 {l.P90Ms:0.000} p99 {l.P99Ms:0.000} ms ({l.Errors} errors), {fixedRate.ProxyVcpuPer1kRps:0.000} vCPU/1k, peak RSS {fixedRate.Processes.Select(p => p.PeakRssBytes).DefaultIfEmpty().Max() / 1048576.0:0} MB, USS {fixedRate.Processes.Select(p => p.UssBytes).DefaultIfEmpty().Max() / 1048576.0:0} MB");
            return new RepetitionResult(round, saturation, fixedRate, null);
        }
        catch (Exception ex)
        {
            run.Log($"round {round} {scenario.Name} failed: {ex.Message}");
            return new RepetitionResult(round, null, null, ex.Message);
        }
    }

    private async Task TryAsync(Func<Task> action, string name)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            run.Log($"  warm-up of {name} failed: {ex.Message}");
        }
    }

    private static ScenarioResult Result(Scenario scenario, IReadOnlyList<string> processes, string? failure, List<RepetitionResult> reps)
    {
        var good = reps.Where(r => r.Saturation is not null && r.FixedRate is not null).ToList();
        var status = failure is not null || good.Count == 0 ? "failed" : "ok";
        return new ScenarioResult
        {
            Name = scenario.Name,
            Title = scenario.Title,
            Grpc = scenario.Grpc,
            Status = status,
            Error = failure ?? reps.FirstOrDefault(r => r.Error is not null)?.Error,
            Processes = processes,
            Repetitions = reps,
            Median = good.Count == 0 ? null : Summarize(good),
        };
    }

    private static ScenarioSummary Summarize(List<RepetitionResult> reps)
    {
        var saturation = reps.Select(r => r.Saturation!).ToList();
        var fixedRate = reps.Select(r => r.FixedRate!).ToList();
        return new ScenarioSummary
        {
            RequestsPerSecond = Stats.Median(saturation.Select(s => s.RequestsPerSecond)),
            RequestsPerSecondMin = saturation.Min(s => s.RequestsPerSecond),
            RequestsPerSecondMax = saturation.Max(s => s.RequestsPerSecond),
            ProxyCpuUsPerRequest = Stats.Median(saturation.Select(s => s.ProxyCpuUsPerRequest)),
            P50Ms = Stats.Median(fixedRate.Select(f => f.Latency.P50Ms)),
            P90Ms = Stats.Median(fixedRate.Select(f => f.Latency.P90Ms)),
            P99Ms = Stats.Median(fixedRate.Select(f => f.Latency.P99Ms)),
            ProxyVcpuPer1kRps = Stats.Median(fixedRate.Select(f => f.ProxyVcpuPer1kRps)),
            MaxProcessVcpuPer1kRps = Stats.Median(fixedRate.Select(f =>
                f.Processes.Select(p => p.CpuSeconds / f.Seconds / (f.Latency.AchievedRate / 1000)).DefaultIfEmpty().Max())),
            PeakRssAtRateBytes = Stats.Median(fixedRate.Select(f => f.Processes.Select(p => p.PeakRssBytes).DefaultIfEmpty().Max())),
            UssAtRateBytes = Stats.Median(fixedRate.Select(f => f.Processes.Select(p => p.UssBytes).DefaultIfEmpty().Max())),
            PssAtRateBytes = Stats.Median(fixedRate.Select(f => f.Processes.Select(p => p.PssBytes).DefaultIfEmpty().Max())),
            // VmHWM is only reset for the fixed-rate window, so the larger of all peaks is the whole-life peak.
            PeakRssOverallBytes = saturation.SelectMany(s => s.Processes).Concat(fixedRate.SelectMany(f => f.Processes))
                .Select(p => p.PeakRssBytes).DefaultIfEmpty().Max(),
            Errors = saturation.Sum(s => s.Errors) + fixedRate.Sum(f => (long)f.Latency.Errors),
        };
    }

    private static IReadOnlyList<ScenarioResult> WithRatios(List<ScenarioResult> results)
    {
        var direct = results.FirstOrDefault(r => r.Name == "direct")?.Median;
        var grpcDirect = results.FirstOrDefault(r => r.Name == "grpc-direct")?.Median;
        var nginx = results.FirstOrDefault(r => r.Name == "nginx-1")?.Median;
        return [.. results.Select(r =>
        {
            if (r.Median is not { } m)
            {
                return r;
            }

            var baseline = r.Grpc ? grpcDirect : direct;
            return r with
            {
                Median = m with
                {
                    RatioToDirect = baseline is null ? null : m.RequestsPerSecond / baseline.RequestsPerSecond,
                    RatioToNginx = r.Grpc || nginx is null ? null : m.RequestsPerSecond / nginx.RequestsPerSecond,
                    AddedP50Ms = baseline is null ? null : m.P50Ms - baseline.P50Ms,
                    AddedP90Ms = baseline is null ? null : m.P90Ms - baseline.P90Ms,
                    AddedP99Ms = baseline is null ? null : m.P99Ms - baseline.P99Ms,
                },
            };
        })];
    }
}
