using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Scenarios;
using Mesh.Bench.Tool.Tcp;

namespace Mesh.Bench.Tests.Tcp;

/// <summary>The TCP rows are chosen with --only and left out with --skip tcp, like the HTTP ones.</summary>
public sealed class TcpSelectionTests
{
    [Fact]
    public void The_tcp_rows_are_the_issues_paths_and_references_with_names_no_http_row_has()
    {
        var tcp = TcpScenarioCatalog.All().Select(s => s.Name).ToList();
        Assert.Equal(
            ["tcp-direct", "tcp-haproxy", "tcp-nginx-1", "tcp-nginx-2", "tcp-nginx-2-tls", "tcp-sidecar-1", "tcp-sidecar-2", "tcp-sidecar-2-mtls", "tcp-gateway"],
            tcp);
        Assert.Equal(ScenarioSelection.KnownNames().Count, ScenarioSelection.KnownNames().Distinct().Count());
        Assert.Empty(ScenarioCatalog.All().Select(s => s.Name).Intersect(tcp));
    }

    [Fact]
    public void Only_picks_from_both_catalogs_in_table_order()
    {
        IReadOnlyList<string> only = ["tcp-sidecar-2-mtls", "sidecar-1", "tcp-haproxy"];
        ScenarioSelection.Validate(only);
        Assert.Equal(["tcp-haproxy", "tcp-sidecar-2-mtls"], ScenarioSelection.Select(TcpScenarioCatalog.All(), only).Select(s => s.Name));
        Assert.Equal(["sidecar-1"], ScenarioSelection.Select(ScenarioCatalog.All(), only).Select(s => s.Name));
        Assert.Equal(TcpScenarioCatalog.All().Count, ScenarioSelection.Select(TcpScenarioCatalog.All(), null).Count);
    }

    [Fact]
    public void An_unknown_name_fails_before_anything_starts_and_lists_the_known_ones()
    {
        var error = Assert.Throws<UsageException>(() => Settings("--only", "tcp-sidecar-1,tcp-sidecar-3"));
        Assert.Contains("unknown configuration(s) tcp-sidecar-3", error.Message, StringComparison.Ordinal);
        Assert.Contains("tcp-nginx-2-tls", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Skip_tcp_leaves_the_tcp_rows_out_and_the_others_in()
    {
        var settings = Settings("--skip", "tcp,controlplane");
        Assert.True(settings.SkipTcp);
        Assert.True(settings.SkipControlPlane);
        Assert.False(settings.SkipDataPath);
        Assert.False(Settings().SkipTcp);
        var error = Assert.Throws<UsageException>(() => Settings("--skip", "udp"));
        Assert.Contains("dataplane, tcp, startup and/or controlplane", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bulk_connections_default_to_four_and_can_be_set()
    {
        Assert.Equal(4, Settings().TcpBulkConnections);
        Assert.Equal(8, Settings("--tcp-bulk-connections", "8").TcpBulkConnections);
    }

    private static BenchSettings Settings(params string[] args) =>
        BenchSettings.FromArguments(Arguments.Parse([.. args, "--results-dir", Path.GetTempPath()]));
}
