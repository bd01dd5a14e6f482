using System.Globalization;
using System.Text;

namespace Mesh.Bench.Tool.Reporting;

/// <summary>The human-readable tables of a run (bench/results/&lt;run id&gt;.md, also printed at the end).</summary>
public static class MarkdownReport
{
    private const double Mb = 1048576.0;

    public static string Render(RunResult run)
    {
        var md = new StringBuilder();
        var s = run.Settings;
        var m = run.Machine;
        Line(md, $"# Mesh benchmark {run.RunId} ({run.Mode})");
        Line(md, $"");
        Line(md, $"Machine: {m.CpuModel}, {m.LogicalCpus} logical CPUs, {m.MemoryBytes / Mb / 1024:0} GiB, {m.Os}, kernel {m.Kernel}, {m.Runtime}. " +
                 $"Load average during the run (1 min): min {run.LoadAverage.ElementAtOrDefault(0):0.0}, median {run.LoadAverage.ElementAtOrDefault(1):0.0}, max {run.LoadAverage.ElementAtOrDefault(2):0.0}" +
                 (run.LoadAverage.ElementAtOrDefault(1) > m.LogicalCpus * 0.5 ? " — the machine was busy with other work; read the ratios, not the absolute numbers." : "."));
        if (run.Source is { } source)
        {
            Line(md, $"");
            Line(md, $"Built from commit {source.Commit}{(source.UncommittedFiles == 0 ? "" : $" with {source.UncommittedFiles} uncommitted tracked file(s) in the tree")}.");
        }

        Line(md, $"");
        Line(md, $"{run.Method}");
        Line(md, $"");

        if (run.DataPath.Count > 0)
        {
            Line(md, $"## Data path (medians of {s.Repetitions} interleaved round{(s.Repetitions == 1 ? "" : "s")})");
            Line(md, $"");
            Line(md, $"| configuration | req/s at saturation (min–max) | × nginx-1 | × direct | proxy CPU µs/req | p50 | p90 | p99 at {s.Rate:0} req/s | p99 added vs direct | proxy vCPU per 1k req/s | peak RSS per proxy at {s.Rate:0} req/s (whole run) | USS / PSS per proxy at {s.Rate:0} req/s | errors |");
            Line(md, $"|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in run.DataPath)
            {
                if (r.Median is not { } x)
                {
                    Line(md, $"| **{r.Name}** — {r.Title} | {r.Status}: {Escape(r.Error)} | | | | | | | | | | | |");
                    continue;
                }

                var rss = r.Processes.Count == 0 ? "—" : $"{x.PeakRssAtRateBytes / Mb:0} MB ({x.PeakRssOverallBytes / Mb:0} MB)";
                var uss = r.Processes.Count == 0 ? "—" : $"{x.UssAtRateBytes / Mb:0} / {x.PssAtRateBytes / Mb:0} MB";
                var cpu = r.Processes.Count == 0 ? "—" : $"{x.ProxyCpuUsPerRequest:0.0}";
                var vcpu = r.Processes.Count == 0 ? "—" : $"{x.ProxyVcpuPer1kRps:0.000}" + (r.Processes.Count > 1 ? $" ({r.Processes.Count} processes, max {x.MaxProcessVcpuPer1kRps:0.000})" : "");
                Line(md, $"| **{r.Name}** — {r.Title} | {x.RequestsPerSecond:0} ({x.RequestsPerSecondMin:0}–{x.RequestsPerSecondMax:0}) | {Ratio(x.RatioToNginx)} | {Ratio(x.RatioToDirect)} | {cpu} | {x.P50Ms:0.000} ms | {x.P90Ms:0.000} ms | {x.P99Ms:0.000} ms | {Added(x.AddedP99Ms)} | {vcpu} | {rss} | {uss} | {x.Errors} |");
            }

            Line(md, $"");
        }

        TcpMarkdownReport.Render(md, run);

        if (run.Startup.Count > 0)
        {
            Line(md, $"## Sidecar start-up (median of {s.StartupSamples})");
            Line(md, $"");
            Line(md, $"| binary | exec → ready (first snapshot applied) | exec → first proxied 200 | RSS at ready | samples (ready ms) |");
            Line(md, $"|---|---|---|---|---|");
        }

        foreach (var startup in run.Startup)
        {
            Line(md, $"| {startup.Binary} | {startup.MedianReadyMs:0} ms | {startup.MedianFirstRequestMs:0} ms | {startup.MedianRssAtReadyBytes / Mb:0} MB | {string.Join(", ", startup.Samples.Select(x => x.ReadyMs.ToString("0", CultureInfo.InvariantCulture)))}{(startup.Error is null ? "" : " — " + Escape(startup.Error))} |");
        }

        if (run.Startup.Count > 0)
        {
            Line(md, $"");
        }

        if (run.ControlPlane.Count > 0)
        {
            Line(md, $"## Control plane (simulated proxies on real gRPC streams; {s.ControlPlaneChanges} changes each, medians)");
            Line(md, $"");
            Line(md, $"| proxies | services / HTTP/2 connections | all connected | storm settled | ACK p50 | ACK p99 | ACK max | snapshot (median, clusters / endpoints); last delta | CP RSS (per proxy) | CP CPU per change (per proxy) | CP idle CPU | SYNCED per CP |");
            Line(md, $"|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var c in run.ControlPlane)
            {
                if (c.Result is not { } x)
                {
                    Line(md, $"| {c.Proxies} | failed: {Escape(c.Error)} | | | | | | | | | | |");
                    continue;
                }

                if (x.Incomplete is not null)
                {
                    Line(md, $"| {x.Proxies} | {x.Services} / {x.Connections} | incomplete: {Escape(x.Incomplete)} | | | | | {x.SnapshotBytesMedian / 1024.0:0.0} KB | {x.ControlPlaneRssConnectedBytes / Mb:0} MB | {x.ConnectCpuSeconds:0.0} s CPU until then | | {x.FailedProxies} failed |");
                    continue;
                }

                Line(md, $"| {x.Proxies}{(x.SidecarScoped ? " (Sidecar: 3 services each)" : "")} | {x.Services} / {x.Connections} | {x.AllConnectedMs:0} ms | {x.ConvergedMs:0} ms | {x.AckP50Ms:0} ms | {x.AckP99Ms:0} ms | {x.AckMaxMs:0} ms | {x.SnapshotBytesMedian / 1024.0:0.0} KB ({x.SnapshotClusters} / {x.SnapshotEndpoints}); {x.DeltaBytesMedian / 1024.0:0.0} KB | {x.ControlPlaneRssConnectedBytes / Mb:0} MB ({x.RssPerProxyBytes / 1024:0.0} KB) | {x.CpuMsPerChange:0} ms ({x.CpuUsPerProxyPerChange:0} µs) | {x.IdleCpuPercent:0.0} % | {x.SyncedPerControlPlane}/{x.Proxies}{(x.FailedProxies > 0 ? $", {x.FailedProxies} failed: {Escape(x.FirstFailure)}" : "")} |");
            }

            Line(md, $"");
            foreach (var c in run.ControlPlane.Where(c => c.Result?.Churn is not null))
            {
                var churn = c.Result!.Churn!;
                Line(md, $"Endpoint churn at {c.Proxies} proxies: {churn.Events} endpoint changes (one replica joining or leaving every {churn.IntervalMs:0} ms): push p50 {churn.PushP50Ms:0} ms, p99 {churn.PushP99Ms:0} ms, max {churn.PushMaxMs:0} ms; {churn.SnapshotsPerProxy:0.0} snapshots per proxy; control plane {churn.CpuSeconds:0.0} s CPU ({churn.CpuCores:0.00} cores).");
                Line(md, $"");
            }

            foreach (var c in run.ControlPlane.Where(c => c.Result is { MeasurementFailures.Count: > 0 }))
            {
                Line(md, $"Measurements that failed at {c.Proxies} proxies (their figures are missing above): {Escape(string.Join("; ", c.Result!.MeasurementFailures))}");
                Line(md, $"");
            }
        }

        if (run.Goals.Count > 0)
        {
            Line(md, $"## Goals (benchmark issue)");
            Line(md, $"");
            Line(md, $"| goal | target | this run | met |");
            Line(md, $"|---|---|---|---|");
            foreach (var g in run.Goals)
            {
                Line(md, $"| {g.Goal} | {g.Target} | {Escape(g.Measured)} | {(g.Met switch { true => "yes", false => "**no**", null => "—" })} |");
            }

            Line(md, $"");
        }

        return md.ToString();
    }

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";

    private static string Added(double? value) => value is { } v ? (v >= 0 ? "+" : "") + v.ToString("0.000", CultureInfo.InvariantCulture) + " ms" : "—";

    internal static string Escape(string? text)
    {
        var flat = (text ?? "").Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();
        return flat.Length > 300 ? flat[..300] + "…" : flat;
    }

    // InvariantGlobalization is on (Directory.Build.props): interpolation formats invariantly.
    private static void Line(StringBuilder md, string text) => md.AppendLine(text);
}
