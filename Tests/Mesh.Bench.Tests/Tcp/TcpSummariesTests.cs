using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Reporting;
using Mesh.Bench.Tool.Tcp;

namespace Mesh.Bench.Tests.Tcp;

/// <summary>How the TCP rows become numbers: per-core throughput, medians, ratios to the references, the goals.</summary>
public sealed class TcpSummariesTests
{
    [Fact]
    public void Bulk_per_core_divides_the_echoed_megabytes_by_the_proxies_cpu_seconds()
    {
        // 200 MB back in 10 s with 2 s of proxy CPU (two processes): 20 MB/s, 100 MB per CPU second.
        var summary = TcpSummaries.Summarize([Round(1, bulkBytes: 200_000_000, bulkCpu: [1.5, 0.5])], hasProxies: true);
        Assert.Equal(20, summary.BulkMegabytesPerSecond, 6);
        Assert.Equal(100, summary.BulkMegabytesPerCore!.Value, 6);

        // 5,000 connections in 10 s with 0.5 s of CPU: 500/s, 100 µs each.
        Assert.Equal(500, summary.ConnectionsPerSecond, 6);
        Assert.Equal(100, summary.ProxyCpuUsPerConnection!.Value, 6);
        Assert.Equal(0.25, summary.EchoP50Ms);
        Assert.Equal(1.5, summary.EchoP99Ms);
    }

    [Fact]
    public void Medians_are_taken_over_the_rounds()
    {
        var summary = TcpSummaries.Summarize(
            [Round(1, bulkBytes: 100_000_000, bulkCpu: [1]), Round(2, bulkBytes: 300_000_000, bulkCpu: [1]), Round(3, bulkBytes: 200_000_000, bulkCpu: [1])],
            hasProxies: true);
        Assert.Equal(20, summary.BulkMegabytesPerSecond, 6);
        Assert.Equal(200, summary.BulkMegabytesPerCore!.Value, 6);
    }

    [Fact]
    public void The_direct_path_has_no_per_core_figures()
    {
        var summary = TcpSummaries.Summarize([Round(1, bulkBytes: 100_000_000, bulkCpu: [])], hasProxies: false);
        Assert.Null(summary.BulkMegabytesPerCore);
        Assert.Null(summary.ProxyCpuUsPerConnection);
    }

    [Fact]
    public void Ratios_are_to_haproxy_and_for_every_row_to_the_two_nginx_with_tls_of_the_same_run()
    {
        var results = TcpSummaries.WithRatios(
        [
            Row("tcp-haproxy", perCore: 400, connections: 1000),
            Row("tcp-nginx-2-tls", perCore: 100, connections: 300),
            Row("tcp-sidecar-2-mtls", perCore: 90, connections: 150),
            Failed("tcp-gateway"),
        ]);
        var mtls = results.Single(r => r.Name == "tcp-sidecar-2-mtls").Median!;
        Assert.Equal(0.225, mtls.BulkPerCoreRatioToHaproxy!.Value, 6);
        Assert.Equal(0.9, mtls.BulkPerCoreRatioToNginxTls!.Value, 6);
        Assert.Equal(0.15, mtls.ConnectionsRatioToHaproxy!.Value, 6);
        Assert.Null(results.Single(r => r.Name == "tcp-gateway").Median);

        var goals = TcpGoals.Evaluate(results).ToList();
        Assert.Null(goals[0].Met); // tcp-sidecar-1 was not run
        Assert.Equal("not measured", goals[0].Measured);
        Assert.True(goals[1].Met); // 0.90× ≥ 0.80×
        Assert.StartsWith("0.90×", goals[1].Measured, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_references_there_are_no_ratios_and_the_goals_say_not_measured()
    {
        var results = TcpSummaries.WithRatios([Row("tcp-sidecar-1", perCore: 100, connections: 100)]);
        Assert.Null(results[0].Median!.BulkPerCoreRatioToHaproxy);
        Assert.All(TcpGoals.Evaluate(results), g => Assert.Null(g.Met));
    }

    [Fact]
    public void A_configuration_whose_every_round_failed_is_reported_failed_with_the_first_error()
    {
        var result = TcpSummaries.Result(new TcpDirectScenario(), [], null, [new TcpRepetitionResult(1, null, null, null, "connection refused")]);
        Assert.Equal("failed", result.Status);
        Assert.Equal("connection refused", result.Error);
        Assert.Null(result.Median);
    }

    [Fact]
    public void The_generators_result_line_is_read_from_its_output()
    {
        var load = TcpLoadRunner.Parse("MEASURE start\nMEASURE end\nRESULT {\"mode\":\"bulk\",\"seconds\":2,\"bytes\":4000000,\"errors\":1,\"firstError\":\"reset\",\"megabytesPerSecond\":2}\n");
        Assert.Equal("bulk", load.Mode);
        Assert.Equal(2, load.MegabytesPerSecond);
        Assert.Equal(1, load.Errors);
        Assert.Equal("reset", load.FirstError);
        Assert.Throws<InvalidOperationException>(() => TcpLoadRunner.Parse("tcp-load: --port is required"));
    }

    private static TcpRepetitionResult Round(int round, long bulkBytes, double[] bulkCpu)
    {
        var samples = bulkCpu.Select((cpu, i) => new ProcessSample($"p{i}", cpu, 0, 0, 0, 0)).ToList();
        var connectSamples = bulkCpu.Length == 0 ? [] : new List<ProcessSample> { new("p0", 0.5, 0, 0, 0, 0) };
        return new TcpRepetitionResult(
            round,
            new TcpPhaseResult(new TcpLoadResult { Mode = "bulk", Seconds = 10, Bytes = bulkBytes }, bulkCpu.Sum(), samples),
            new TcpPhaseResult(new TcpLoadResult { Mode = "connect", Seconds = 10, Connections = 5000 }, connectSamples.Sum(s => s.CpuSeconds), connectSamples),
            new TcpPhaseResult(new TcpLoadResult { Mode = "echo", Seconds = 15, Latency = new LatencySummary { AchievedRate = 1000, P50Ms = 0.25, P90Ms = 0.5, P99Ms = 1.5 } }, 0.1, samples),
            null);
    }

    private static TcpScenarioResult Row(string name, double perCore, double connections) => new()
    {
        Name = name,
        Title = name,
        Status = "ok",
        Median = new TcpSummary { BulkMegabytesPerCore = perCore, ConnectionsPerSecond = connections },
    };

    private static TcpScenarioResult Failed(string name) => new() { Name = name, Title = name, Status = "failed", Error = "could not start" };
}
