using System.Globalization;
using Mesh.Bench.Tool.Reporting;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>The L4 issue's benchmark goals: bulk throughput per core of proxy CPU against the references of the same run.</summary>
public static class TcpGoals
{
    public static IEnumerable<GoalResult> Evaluate(IReadOnlyList<TcpScenarioResult> tcp)
    {
        var byName = tcp.Where(t => t.Median is not null).ToDictionary(t => t.Name, t => t.Median!);
        yield return Goal(
            "TCP bulk throughput per core, one sidecar vs HAProxy (TCP mode)",
            "≥ 1.00× tcp-haproxy",
            byName.GetValueOrDefault("tcp-sidecar-1"),
            byName.GetValueOrDefault(TcpSummaries.Haproxy),
            m => m.BulkPerCoreRatioToHaproxy,
            1.0);
        yield return Goal(
            "TCP bulk throughput per core, two sidecars with mTLS vs two nginx stream with TLS between",
            "≥ 0.80× tcp-nginx-2-tls",
            byName.GetValueOrDefault("tcp-sidecar-2-mtls"),
            byName.GetValueOrDefault(TcpSummaries.NginxTls),
            m => m.BulkPerCoreRatioToNginxTls,
            0.8);
    }

    private static GoalResult Goal(string goal, string target, TcpSummary? mesh, TcpSummary? reference, Func<TcpSummary, double?> ratio, double threshold) =>
        mesh is not null && reference is not null && ratio(mesh) is { } r
            ? new GoalResult(goal, target, string.Create(CultureInfo.InvariantCulture, $"{r:0.00}× ({mesh.BulkMegabytesPerCore:0.0} vs {reference.BulkMegabytesPerCore:0.0} MB/s per core)"), r >= threshold)
            : new GoalResult(goal, target, "not measured", null);
}
