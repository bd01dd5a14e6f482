using Mesh.Bench.Tool.Measurement;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>How the TCP rows are summarised: medians of the rounds, per-core throughput and the ratios to the references.</summary>
public static class TcpSummaries
{
    public const string Haproxy = "tcp-haproxy";
    public const string NginxTls = "tcp-nginx-2-tls";

    public static TcpScenarioResult Result(TcpScenario scenario, IReadOnlyList<string> processes, string? failure, IReadOnlyList<TcpRepetitionResult> reps)
    {
        var good = reps.Where(r => r is { Bulk: not null, Connect: not null, Echo: not null }).ToList();
        return new TcpScenarioResult
        {
            Name = scenario.Name,
            Title = scenario.Title,
            Status = failure is not null || good.Count == 0 ? "failed" : "ok",
            Error = failure ?? reps.FirstOrDefault(r => r.Error is not null)?.Error,
            Processes = processes,
            Repetitions = reps,
            Median = good.Count == 0 ? null : Summarize(good, processes.Count > 0),
        };
    }

    public static TcpSummary Summarize(IReadOnlyList<TcpRepetitionResult> reps, bool hasProxies)
    {
        var bulk = reps.Select(r => r.Bulk!).ToList();
        var connect = reps.Select(r => r.Connect!).ToList();
        var echo = reps.Select(r => r.Echo!).ToList();
        return new TcpSummary
        {
            BulkMegabytesPerSecond = Stats.Median(bulk.Select(b => b.Load.MegabytesPerSecond)),
            BulkMegabytesPerCore = hasProxies ? Stats.Median(bulk.Select(b => PerCpuSecond(b.Load.Bytes / 1e6, b.ProxyCpuSeconds))) : null,
            ConnectionsPerSecond = Stats.Median(connect.Select(c => c.Load.ConnectionsPerSecond)),
            ProxyCpuUsPerConnection = hasProxies ? Stats.Median(connect.Select(c => c.Load.Connections > 0 ? c.ProxyCpuSeconds * 1e6 / c.Load.Connections : double.NaN)) : null,
            EchoRate = Stats.Median(echo.Select(e => e.Load.Latency?.AchievedRate ?? 0)),
            EchoP50Ms = Stats.Median(echo.Select(e => e.Load.Latency?.P50Ms ?? double.NaN)),
            EchoP90Ms = Stats.Median(echo.Select(e => e.Load.Latency?.P90Ms ?? double.NaN)),
            EchoP99Ms = Stats.Median(echo.Select(e => e.Load.Latency?.P99Ms ?? double.NaN)),
            PeakRssAtRateBytes = Stats.Median(echo.Select(e => e.Processes.Select(p => p.PeakRssBytes).DefaultIfEmpty().Max())),
            PeakRssOverallBytes = bulk.Concat(connect).Concat(echo).SelectMany(p => p.Processes).Select(p => p.PeakRssBytes).DefaultIfEmpty().Max(),
            Errors = reps.Sum(r => r.Bulk!.Load.Errors + r.Connect!.Load.Errors + r.Echo!.Load.Errors),
        };
    }

    /// <summary>Adds each row's ratios to tcp-haproxy (and, for the mTLS path, to tcp-nginx-2-tls) of the same run.</summary>
    public static IReadOnlyList<TcpScenarioResult> WithRatios(IReadOnlyList<TcpScenarioResult> results)
    {
        var haproxy = results.FirstOrDefault(r => r.Name == Haproxy)?.Median;
        var nginxTls = results.FirstOrDefault(r => r.Name == NginxTls)?.Median;
        return [.. results.Select(r => r.Median is not { } m ? r : r with
        {
            Median = m with
            {
                BulkPerCoreRatioToHaproxy = Ratio(m.BulkMegabytesPerCore, haproxy?.BulkMegabytesPerCore),
                BulkPerCoreRatioToNginxTls = Ratio(m.BulkMegabytesPerCore, nginxTls?.BulkMegabytesPerCore),
                ConnectionsRatioToHaproxy = Ratio(m.ConnectionsPerSecond, haproxy?.ConnectionsPerSecond),
            },
        })];
    }

    private static double PerCpuSecond(double amount, double cpuSeconds) => cpuSeconds > 0 ? amount / cpuSeconds : double.NaN;

    private static double? Ratio(double? value, double? reference) =>
        value is { } v && reference is { } r && r > 0 && !double.IsNaN(v) ? v / r : null;
}
