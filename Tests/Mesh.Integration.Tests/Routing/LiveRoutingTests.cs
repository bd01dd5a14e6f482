using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Routing;

/// <summary>
/// Config applied to the control plane (admin API or meshctl) changes how the client's sidecar
/// routes to the reviews workloads' sidecars, live.
/// </summary>
public sealed class LiveRoutingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Without_a_virtual_service_calls_are_spread_over_every_version()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");

        var counts = await mesh.CountAsync(40);
        output.WriteLine(MeshTestCluster.Describe(counts));

        Assert.Equal(["reviews-v1", "reviews-v2"], counts.Keys);
    }

    [Fact]
    public async Task Sidecars_talk_mutual_tls_with_certificates_from_the_control_plane_ca()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1");

        using var response = await mesh.Reviews.GetAsync("/reviews/0");
        response.EnsureSuccessStatusCode();
        var peer = mesh.AppOf("v1").Last.Headers["x-forwarded-client-cert"];
        output.WriteLine($"x-forwarded-client-cert at reviews-v1: {peer}");

        // The inbound sidecar verified the caller's certificate and tells the app who it is.
        Assert.Contains("URI=spiffe://cluster.local/ns/default/sa/bookinfo-productpage", peer, StringComparison.Ordinal);
        Assert.Contains("By=spiffe://cluster.local/ns/default/sa/bookinfo-reviews", peer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_match_applied_through_the_admin_api_sends_jason_to_v2_and_others_to_v1()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");

        var generation = await mesh.ControlPlane.ApplyAsync(RoutingYaml.UserTo("jason", "v2", otherwise: "v1"));
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, generation);

        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 20 }, await mesh.CountAsync(20, endUser: "jason"));
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 20 }, await mesh.CountAsync(20, endUser: "alice"));
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 20 }, await mesh.CountAsync(20));
    }

    [Fact]
    public async Task A_weighted_split_divides_traffic_within_tolerance()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");

        var generation = await mesh.ControlPlane.ApplyAsync(RoutingYaml.Split("v1", 75, "v2", 25));
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, generation);

        const int Calls = 400;
        var counts = await mesh.CountAsync(Calls);
        output.WriteLine($"75/25 split over {Calls} calls: {MeshTestCluster.Describe(counts)}");

        // Binomial(400, 0.25): mean 100, sd 8.7; 60..140 is more than four sd either side.
        Assert.Equal(["reviews-v1", "reviews-v2"], counts.Keys);
        Assert.InRange(counts["reviews-v2"], 60, 140);
    }

    [Fact]
    public async Task Meshctl_apply_sends_everything_to_one_subset_and_proxy_status_shows_every_proxy_synced()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");
        var file = Path.Combine(mesh.Root, "reviews-v2.yaml");
        await File.WriteAllTextAsync(file, RoutingYaml.AllTo("v2"));

        var apply = await mesh.MeshCtlAsync("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.Error);
        Assert.Contains("VirtualService/default/reviews", apply.Output, StringComparison.Ordinal);

        // meshctl returns once the store took the change: the generation it reports is the one to wait for.
        var generation = long.Parse(Regex.Match(apply.Output, @"configuration generation (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, generation);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 30 }, await mesh.CountAsync(30));

        await mesh.ControlPlane.WaitForSyncedAsync(mesh.ProxyIds);
        var status = await mesh.MeshCtlAsync("proxy-status");
        output.WriteLine(status.Output);
        Assert.Equal(0, status.ExitCode);
        var rows = status.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(mesh.ProxyIds.Order(), rows.Select(r => r.Split(' ')[0]).Order());
        Assert.All(rows, row => Assert.Contains(" SYNCED ", row, StringComparison.Ordinal));
    }

    /// <summary>How fast a change reaches traffic is a benchmark (bench/, control-plane push latency); here: every change does.</summary>
    [Fact]
    public async Task Every_change_of_a_flipping_route_reaches_traffic()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");

        // Flip the route back and forth (the control plane's production debounce in between); each
        // change is ACKed by the client's sidecar, and from then on every call follows it.
        for (var i = 0; i < 7; i++)
        {
            var target = i % 2 == 0 ? "v1" : "v2";
            await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, await mesh.ControlPlane.ApplyAsync(RoutingYaml.AllTo(target)));
            Assert.Equal(new Dictionary<string, int> { [$"reviews-{target}"] = 5 }, await mesh.CountAsync(5));
        }
    }
}
