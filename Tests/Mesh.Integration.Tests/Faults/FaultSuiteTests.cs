using System.Net;
using Mesh.Integration.Tests.Infrastructure;
using Mesh.Proxy.Core.Listeners;
using Mesh.Testing.Proxy;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Faults;

/// <summary>
/// The standing fault suite (issue 22): steady load through the ingress gateway while one fault
/// happens, and no request may fail. Run alone with <c>--filter Category=Faults</c>.
/// <para>
/// One stated bound, for the two kills: a request already forwarded to a process that dies is
/// lost with its connection. Istio's default retry policy (which these routes have) retries
/// connect failures, refused streams and 503s, not resets — a reset request may have had its
/// effect upstream — so such a request may fail. Only requests in flight when the kill started,
/// or sent while it ran, may fail; every request sent after it must succeed.
/// </para>
/// Each test waits for events (proxies SYNCED, requests served after a mark), never for time.
/// </summary>
[Trait("Category", "Faults")]
public sealed class FaultSuiteTests(ITestOutputHelper output)
{
    private const int Served = 50;

    [Fact]
    public async Task Control_plane_killed_and_restarted()
    {
        await using var mesh = await FaultMesh.StartAsync();

        await mesh.Cluster.KillControlPlaneAsync();
        await WaitForOutageNoticedAsync(mesh.Cluster.Client);
        await mesh.Load.WaitForServedAsync(mesh.Load.Mark(), Served, "while the control plane is down");
        await mesh.Cluster.StartControlPlaneAgainAsync();
        await mesh.WaitForSyncedAsync();
        await mesh.Load.WaitForServedAsync(mesh.Load.Mark(), Served, "after the restart");

        await AssertNoFailuresAsync(mesh);
    }

    [Fact]
    public async Task One_of_three_endpoints_killed()
    {
        await using var mesh = await FaultMesh.StartAsync();

        var struck = await KillAsync(mesh, () => mesh.Cluster.KillReviewsAsync("v2"));
        await mesh.WaitForSyncedAsync();
        var after = mesh.Load.Mark();
        await mesh.Load.WaitForServedAsync(after, Served, "after the kill");

        await AssertOnlyStruckFailedAsync(mesh, struck);
        Assert.Equal(["reviews-v1", "reviews-v3"], mesh.Load.Served(after).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_sidecar_killed()
    {
        await using var mesh = await FaultMesh.StartAsync();

        var struck = await KillAsync(mesh, () => mesh.Cluster.KillReviewsSidecarAsync("v3"));
        await mesh.WaitForSyncedAsync();
        var after = mesh.Load.Mark();
        await mesh.Load.WaitForServedAsync(after, Served, "after the kill");

        await AssertOnlyStruckFailedAsync(mesh, struck);
        Assert.Equal(["reviews-v1", "reviews-v2"], mesh.Load.Served(after).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Config_churn_at_one_change_per_second()
    {
        await using var mesh = await FaultMesh.StartAsync();
        (string, int)[][] splits = [[("v1", 50), ("v2", 50)], [("v2", 50), ("v3", 50)]];

        // The rate is the fault being injected; nothing waits for it to have an effect.
        using var everySecond = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long generation = 0;
        for (var change = 0; change < 6; change++)
        {
            generation = await mesh.Cluster.ControlPlane.ApplyAsync(FaultMesh.Route(splits[change % 2]));
            await everySecond.WaitForNextTickAsync();
        }

        await mesh.Cluster.ControlPlane.WaitForSyncedAtAsync(MeshProxies.IngressId, generation, budget: TimeSpan.FromSeconds(60));
        var after = mesh.Load.Mark();
        await mesh.Load.WaitForServedAsync(after, Served, "after the last change");

        await AssertNoFailuresAsync(mesh);
        Assert.Equal(["reviews-v2", "reviews-v3"], mesh.Load.Served(after).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Mtls_permissive_to_strict_and_back()
    {
        await using var mesh = await FaultMesh.StartAsync();
        var inbound = mesh.Cluster.SidecarOf("v1").Listeners.OfKind(ListenerKind.Inbound).First().BoundPort;
        Assert.True(await PlaintextAcceptedAsync(inbound));

        await ApplyToReviewsAsync(mesh, RoutingYaml.MeshWideMtls("STRICT"));
        await mesh.Load.WaitForServedAsync(mesh.Load.Mark(), Served, "under STRICT");
        Assert.False(await PlaintextAcceptedAsync(inbound));

        await ApplyToReviewsAsync(mesh, RoutingYaml.MeshWideMtls("PERMISSIVE"));
        await mesh.Load.WaitForServedAsync(mesh.Load.Mark(), Served, "back under PERMISSIVE");
        Assert.True(await PlaintextAcceptedAsync(inbound));

        await AssertNoFailuresAsync(mesh);
    }

    [Fact]
    public async Task An_invalid_file_present_at_control_plane_start()
    {
        await using var mesh = await FaultMesh.StartAsync();
        var generation = await mesh.Cluster.ControlPlane.GenerationAsync();

        await mesh.Cluster.KillControlPlaneAsync();
        await File.WriteAllTextAsync(Path.Combine(mesh.Cluster.ConfigDirectory, "broken.yaml"), FaultMesh.Route().Replace("destination:", "destinaton:", StringComparison.Ordinal));
        await mesh.Cluster.StartControlPlaneAgainAsync();
        await mesh.WaitForSyncedAsync();
        var after = mesh.Load.Mark();
        await mesh.Load.WaitForServedAsync(after, Served, "after the restart");

        await AssertNoFailuresAsync(mesh);
        Assert.Equal(3, mesh.Load.Served(after).Count);
        using var status = await mesh.Cluster.ControlPlane.StatusAsync();
        Assert.Equal(generation, status.RootElement.GetProperty("generation").GetInt64());
        Assert.Equal("broken.yaml", status.RootElement.GetProperty("rejected").EnumerateArray().Single().GetProperty("source").GetString());
    }

    [Fact]
    public async Task The_control_plane_unreachable_while_a_proxy_starts()
    {
        await using var mesh = await FaultMesh.StartAsync();
        var token = mesh.Cluster.ReviewsToken("v4");

        await mesh.Cluster.KillControlPlaneAsync();
        var v4 = await mesh.Cluster.StartReviewsAsync("v4", token);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{v4.AdminPort}"), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync("/ready")).StatusCode);
        await mesh.Load.WaitForServedAsync(mesh.Load.Mark(), Served, "while the new proxy waits");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync("/ready")).StatusCode);

        await mesh.Cluster.StartControlPlaneAgainAsync();
        await mesh.WaitForSyncedAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/ready")).StatusCode);
        var after = mesh.Load.Mark();
        await Poll.UntilAsync("the new endpoint serves the gateway's load", () => Task.FromResult(mesh.Load.Served(after).ContainsKey("reviews-v4")), mesh.Load.Summary, TimeSpan.FromSeconds(60));

        await AssertNoFailuresAsync(mesh);
    }

    /// <summary>Runs a kill; the requests it may strike: those in flight when it started and those sent while it ran.</summary>
    private static async Task<IReadOnlySet<long>> KillAsync(FaultMesh mesh, Func<Task> kill)
    {
        // One snapshot: read apart, a request numbered between the two reads was in neither (CI on
        // 56bc983: the request sent as reviews-v2 was killed failed, and none counted as struck).
        var (inFlight, from) = mesh.Load.InFlightAndMark();
        var struck = new HashSet<long>(inFlight);
        await kill();
        for (var sequence = from; sequence < mesh.Load.Mark(); sequence++)
        {
            struck.Add(sequence);
        }

        return struck;
    }

    private async Task AssertNoFailuresAsync(FaultMesh mesh)
    {
        await mesh.Load.StopAsync();
        output.WriteLine(mesh.Load.Summary());
        Assert.Empty(mesh.Load.Failures);
    }

    private async Task AssertOnlyStruckFailedAsync(FaultMesh mesh, IReadOnlySet<long> struck)
    {
        await mesh.Load.StopAsync();
        output.WriteLine($"{mesh.Load.Summary()}\n{struck.Count} requests in flight or sent during the kill");
        Assert.All(mesh.Load.Failures, failure => Assert.Contains(failure.Sequence, struck));
    }

    /// <summary>Applies a policy for the reviews endpoints' inbound side; waits until each of their sidecars ACKed it (others get no push).</summary>
    private static async Task ApplyToReviewsAsync(FaultMesh mesh, string yaml)
    {
        var generation = await mesh.Cluster.ControlPlane.ApplyAsync(yaml);
        foreach (var id in mesh.ProxyIds.Where(id => id.StartsWith("reviews-", StringComparison.Ordinal)))
        {
            await mesh.Cluster.ControlPlane.WaitForSyncedAtAsync(id, generation, budget: TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Whether a plaintext request straight to a sidecar's inbound port (a caller outside the mesh) is answered.</summary>
    private static async Task<bool> PlaintextAcceptedAsync(int inboundPort)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{inboundPort}/reviews/0");
        request.Headers.Host = "reviews:9080";
        try
        {
            using var response = await client.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static Task WaitForOutageNoticedAsync(ProxyHost sidecar) =>
        Poll.UntilAsync("a sidecar to notice the outage", async () =>
        {
            using var dump = await sidecar.ConfigDumpAsync();
            return !dump.RootElement.GetProperty("control_plane_connected").GetBoolean();
        });
}
