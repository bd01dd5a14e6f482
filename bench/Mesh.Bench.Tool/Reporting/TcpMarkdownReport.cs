using System.Globalization;
using System.Text;
using Mesh.Bench.Tool.Tcp;

namespace Mesh.Bench.Tool.Reporting;

/// <summary>The TCP table of a run's report.</summary>
public static class TcpMarkdownReport
{
    private const double Mb = 1048576.0;

    public static void Render(StringBuilder md, RunResult run)
    {
        if (run.TcpDataPath.Count == 0)
        {
            return;
        }

        var s = run.Settings;
        md.AppendLine(F($"## TCP data path (medians of {s.Repetitions} interleaved round{(s.Repetitions == 1 ? "" : "s")})"));
        md.AppendLine();
        md.AppendLine(F($"| configuration | bulk MB/s | bulk MB/s per proxy core | × tcp-haproxy per core | × tcp-nginx-2-tls per core | connections/s | × tcp-haproxy | proxy CPU µs/connection | 1-byte echo p50 | p90 | p99 at {s.Rate:0}/s | peak RSS per proxy at {s.Rate:0}/s (whole run) | errors |"));
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in run.TcpDataPath)
        {
            if (r.Median is not { } x)
            {
                md.AppendLine(F($"| **{r.Name}** — {r.Title} | {r.Status}: {MarkdownReport.Escape(r.Error)} | | | | | | | | | | | |"));
                continue;
            }

            var rss = r.Processes.Count == 0 ? "—" : F($"{x.PeakRssAtRateBytes / Mb:0} MB ({x.PeakRssOverallBytes / Mb:0} MB)");
            md.AppendLine(F($"| **{r.Name}** — {r.Title} | {x.BulkMegabytesPerSecond:0.0} | {Number(x.BulkMegabytesPerCore, "0.0")} | {Ratio(x.BulkPerCoreRatioToHaproxy)} | {Ratio(x.BulkPerCoreRatioToNginxTls)} | {x.ConnectionsPerSecond:0} | {Ratio(x.ConnectionsRatioToHaproxy)} | {Number(x.ProxyCpuUsPerConnection, "0.0")} | {x.EchoP50Ms:0.000} ms | {x.EchoP90Ms:0.000} ms | {x.EchoP99Ms:0.000} ms | {rss} | {x.Errors} |"));
        }

        md.AppendLine();
    }

    private static string Number(double? value, string format) => value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
