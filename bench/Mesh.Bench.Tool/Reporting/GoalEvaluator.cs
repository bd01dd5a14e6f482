using System.Globalization;

namespace Mesh.Bench.Tool.Reporting;

/// <summary>Checks a run against the goals of the benchmark issue.</summary>
public static class GoalEvaluator
{
    private const double Mb = 1048576.0;

    public static IReadOnlyList<GoalResult> Evaluate(RunResult run)
    {
        var goals = new List<GoalResult>();
        var byName = run.DataPath.Where(s => s.Median is not null).ToDictionary(s => s.Name, s => s.Median!);

        if (byName.TryGetValue("sidecar-1", out var one) && one.RatioToNginx is { } ratio)
        {
            goals.Add(new GoalResult("one sidecar: throughput ≥ nginx (same run)", "≥ 1.00× nginx-1", F($"{ratio:0.00}× ({one.RequestsPerSecond:0} vs {byName["nginx-1"].RequestsPerSecond:0} req/s)"), ratio >= 1.0));
        }
        else
        {
            goals.Add(new GoalResult("one sidecar: throughput ≥ nginx (same run)", "≥ 1.00× nginx-1", "not measured", null));
        }

        if (byName.TryGetValue("sidecar-2-mtls", out var mtls) && mtls.AddedP99Ms is { } added)
        {
            goals.Add(new GoalResult("two sidecars with mTLS: added p99 at 1,000 req/s", "≤ 0.3 ms over direct", F($"+{added:0.000} ms"), added <= 0.3));
        }
        else
        {
            var plain = byName.GetValueOrDefault("sidecar-2")?.AddedP99Ms;
            goals.Add(new GoalResult("two sidecars with mTLS: added p99 at 1,000 req/s", "≤ 0.3 ms over direct",
                plain is { } p ? F($"mTLS not measured; plaintext: +{p:0.000} ms") : "not measured", null));
        }

        foreach (var (label, names) in new[]
        {
            ("", new[] { "sidecar-1", "sidecar-2", "sidecar-2-mtls" }),
            (" (JIT build)", new[] { "sidecar-1-jit", "sidecar-2-jit" }),
        })
        {
            var sidecars = names.Where(byName.ContainsKey).Select(n => (Name: n, Summary: byName[n])).ToList();
            if (sidecars.Count == 0)
            {
                continue;
            }

            var cpu = sidecars.Max(s => s.Summary.MaxProcessVcpuPer1kRps);
            goals.Add(new GoalResult("vCPU per 1,000 req/s per sidecar" + label, "≤ 0.20", F($"{cpu:0.000} (busiest sidecar process, {string.Join(", ", sidecars.Select(s => s.Name))})"), cpu <= 0.20));
            var rss = sidecars.Max(s => s.Summary.PeakRssAtRateBytes) / Mb;
            goals.Add(new GoalResult("RSS per sidecar at 1,000 req/s" + label, "≤ 40 MB", F($"{rss:0} MB peak RSS (whole run incl. saturation: {sidecars.Max(s => s.Summary.PeakRssOverallBytes) / Mb:0} MB; unique memory USS {sidecars.Max(s => s.Summary.UssAtRateBytes) / Mb:0} MB)"), rss <= 40));
        }

        goals.AddRange(Tcp.TcpGoals.Evaluate(run.TcpDataPath));

        var cp1000 = run.ControlPlane.FirstOrDefault(c => c.Proxies == 1000)?.Result;
        goals.Add(cp1000 is null
            ? new GoalResult("1,000 proxies all ACKed after a change", "p99 ≤ 1 s", "not measured", null)
            : cp1000.Incomplete is not null
                ? new GoalResult("1,000 proxies all ACKed after a change", "p99 ≤ 1 s", "did not converge: " + cp1000.Incomplete, false)
                : new GoalResult("1,000 proxies all ACKed after a change", "p99 ≤ 1 s", F($"p99 {cp1000.AckP99Ms:0} ms, max {cp1000.AckMaxMs:0} ms"), cp1000.AckP99Ms <= 1000 && cp1000.FailedProxies == 0));

        var jit = run.Startup.FirstOrDefault(s => s.Samples.Count > 0 && s.Binary.StartsWith("JIT", StringComparison.Ordinal));
        var aot = run.Startup.FirstOrDefault(s => s.Samples.Count > 0 && s.Binary.StartsWith("Native", StringComparison.Ordinal));
        // Issue 16: ≤ 0.3 s in the shipped build (Native AOT); the JIT build is quoted beside it.
        goals.Add(aot is not null
            ? new GoalResult("sidecar ready after exec (shipped Native AOT build)", "≤ 0.3 s", F($"{aot.MedianReadyMs:0} ms (median of {aot.Samples.Count}){(jit is null ? "" : $"; JIT build: {jit.MedianReadyMs:0} ms")}"), aot.MedianReadyMs <= 300)
            : jit is not null
                ? new GoalResult("sidecar ready after exec (shipped Native AOT build)", "≤ 0.3 s", F($"AOT not built; JIT build: {jit.MedianReadyMs:0} ms (median of {jit.Samples.Count})"), null)
                : new GoalResult("sidecar ready after exec (shipped Native AOT build)", "≤ 0.3 s", "not measured", null));
        return goals;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
