using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>The discovery stream over a real gRPC connection to a control plane on 127.0.0.1.</summary>
public sealed class DiscoveryStreamTests
{
    [Fact]
    public async Task Hello_registers_the_workload_and_gets_its_snapshot()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));
        await using var proxy = await controlPlane.Proxy("productpage-1", n => n.Workload = "productpage").ConnectAsync();

        var snapshot = await proxy.NextAsync();
        while (!snapshot.Clusters.Single().Endpoints.Any(e => e.NodeId == "productpage-1"))
        {
            snapshot = await proxy.NextAsync(); // the push that follows the proxy's own registration
        }

        Assert.Equal("productpage-1", snapshot.Node.Id);
        Assert.Equal(1, snapshot.ConfigGeneration);
        // The wire bytes (shared part + this proxy's node) decode to exactly the snapshot the control plane recorded.
        Assert.Equal(controlPlane.Service<Mesh.ControlPlane.Discovery.ConnectedProxies>().Find("productpage-1")!.LastSent, snapshot);
        Assert.Contains(snapshot.VirtualHosts, v => v.Name == "VirtualService/default/reviews");
        Assert.NotNull(controlPlane.Service<WorkloadRegistry>().Find("productpage-1"));
        var status = await controlPlane.Admin.GetJsonAsync("/api/v1/proxies/productpage-1");
        Assert.Equal("productpage", status["workload"]!.GetValue<string>());
        Assert.Equal("sidecar", status["kind"]!.GetValue<string>());
        Assert.Equal("v1", status["labels"]!["version"]!.GetValue<string>());
        Assert.Equal(snapshot.Version, status["sentVersion"]!.GetValue<string>());
        Assert.Equal("bookinfo-productpage-1", status["node"]!["serviceAccount"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ack_makes_the_proxy_synced_and_nack_makes_it_nacked_with_the_error()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await using var proxy = await controlPlane.Proxy("reviews-v1").ConnectAsync();
        var first = await proxy.NextAsync();
        var status = await controlPlane.Admin.GetJsonAsync("/api/v1/proxies/reviews-v1");
        Assert.Equal("PENDING", status["status"]!.GetValue<string>());

        await proxy.AckAsync(first.Version);
        status = await Poll.ForAsync("reviews-v1 SYNCED", () => controlPlane.Admin.GetJsonAsync("/api/v1/proxies/reviews-v1"), s => s["status"]!.GetValue<string>() == "SYNCED");
        Assert.Equal(first.Version, status["ackedVersion"]!.GetValue<string>());

        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));
        var second = await proxy.NextAsync();
        Assert.NotEqual(first.Version, second.Version);
        await proxy.NackAsync(second.Version, "route reviews: unknown cluster");

        status = await Poll.ForAsync("reviews-v1 NACKED", () => controlPlane.Admin.GetJsonAsync("/api/v1/proxies/reviews-v1"), s => s["status"]!.GetValue<string>() == "NACKED");
        Assert.Equal(second.Version, status["nackedVersion"]!.GetValue<string>());
        Assert.Equal("route reviews: unknown cluster", status["nackError"]!.GetValue<string>());
        Assert.Equal(first.Version, status["ackedVersion"]!.GetValue<string>());
        var list = await controlPlane.Admin.GetJsonAsync("/api/v1/proxies");
        Assert.Equal("NACKED", list.AsArray().Single()!["status"]!.GetValue<string>());

        // The proxy-config endpoint shows the snapshot last sent, as protobuf JSON.
        var config = await controlPlane.Admin.GetJsonAsync("/api/v1/proxies/reviews-v1/config");
        Assert.Equal(second.Version, config["version"]!.GetValue<string>());
        Assert.Equal("reviews-v1", config["node"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_applied_change_is_pushed_once_the_push_debounce_has_passed_on_the_clock()
    {
        var clock = new TestClock();
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with { ProductionTimings = true, Clock = clock });
        var debounce = controlPlane.Service<IOptions<ControlPlaneOptions>>().Value.PushDebounce;
        await using var proxy = await controlPlane.Proxy("productpage").ConnectAsync();
        await proxy.AckAsync((await proxy.NextAsync()).Version);

        var (status, _) = await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews", subset: "v2"));
        Assert.Equal(System.Net.HttpStatusCode.OK, status);

        // The push round waits for the debounce (100 ms in production) on the control plane's clock...
        await clock.WaitForTimerAsync("the push debounce", debounce);
        clock.Advance(debounce);

        // ...and then sends the change.
        var snapshot = await proxy.NextAsync();
        while (!snapshot.VirtualHosts.Any(v => v.Name == "VirtualService/default/reviews"))
        {
            snapshot = await proxy.NextAsync();
        }

        Assert.Contains("subset: v2", snapshot.VirtualHosts.Single(v => v.Name == "VirtualService/default/reviews").Domains.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_proxy_joining_a_storm_gets_the_current_registry_first_not_the_last_rounds()
    {
        var clock = new TestClock();
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with { ProductionTimings = true, Clock = clock });
        var debounce = controlPlane.Service<IOptions<ControlPlaneOptions>>().Value.PushDebounce;
        var scheduler = controlPlane.Service<Mesh.ControlPlane.Discovery.PushScheduler>();
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));
        await clock.WaitForTimerAsync("the push debounce", debounce);
        clock.Advance(debounce);
        await Poll.UntilAsync("the round of the change, with no workload registered", () => scheduler.LastRoundRegistryVersion == 0);

        // Alone since that round, a joining proxy gets its first snapshot at once (the clock stands
        // still): the last round's registry lacks only itself.
        await using var first = await controlPlane.Proxy("productpage").ConnectAsync();
        Assert.Empty((await first.NextAsync()).Clusters.Single().Endpoints);

        // The second one joins a registry two registrations past that round: it waits for the round
        // those registrations scheduled, and its first snapshot holds both workloads — not the empty
        // mesh of the last round.
        await using var second = await controlPlane.Proxy("reviews-v1").ConnectAsync();
        var registry = controlPlane.Service<WorkloadRegistry>();
        await Poll.UntilAsync("the second proxy registered (before the clock moves: no round in between)", () => registry.Version == 2);
        var firstOfSecond = second.NextAsync();
        await Poll.UntilAsync("the next round reaches the second proxy", () =>
        {
            if (!firstOfSecond.IsCompleted)
            {
                clock.Advance(debounce);
            }

            return firstOfSecond.IsCompleted;
        });
        Assert.Equal(["productpage", "reviews-v1"], (await firstOfSecond).Clusters.Single().Endpoints.Select(e => e.NodeId).Order());
    }

    [Fact]
    public async Task A_change_that_does_not_alter_a_proxys_snapshot_is_not_pushed()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));
        await using var proxy = await controlPlane.Proxy("productpage").ConnectAsync();
        var snapshot = await proxy.NextAsync();
        while (!snapshot.Clusters.Single().Endpoints.Any(e => e.NodeId == "productpage"))
        {
            snapshot = await proxy.NextAsync(); // the push that follows the proxy's own registration
        }

        // Same content again: no new generation, nothing to push.
        var (_, same) = await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));
        Assert.Equal(1, same["generation"]!.GetValue<long>());

        // The next snapshot the proxy gets is the next real change's.
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("ratings", host: "ratings"));
        Assert.Contains((await proxy.NextAsync()).VirtualHosts, v => v.Name == "VirtualService/default/ratings");
    }

    [Fact]
    public async Task Disconnecting_removes_the_workload_and_other_proxies_get_the_new_registry()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await using var watcher = await controlPlane.Proxy("productpage").ConnectAsync();
        await watcher.NextAsync();
        var leaving = await controlPlane.Proxy("reviews-v1").ConnectAsync();
        await leaving.NextAsync();
        var withBoth = await watcher.NextAsync();
        Assert.Equal(2, withBoth.Clusters.Single().Endpoints.Count);

        await leaving.DisposeAsync();

        var withOne = await watcher.NextAsync();
        Assert.Equal(["productpage"], withOne.Clusters.Single().Endpoints.Select(e => e.NodeId));
        Assert.Null(controlPlane.Service<WorkloadRegistry>().Find("reviews-v1"));
        var (status, _) = await controlPlane.Admin.SendAsync(HttpMethod.Get, "/api/v1/proxies/reviews-v1");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task A_first_message_that_is_not_hello_fails_the_stream_with_invalid_argument()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        using var call = controlPlane.Discovery.StreamSnapshots();

        await call.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = "x" } });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Hello", error.Status.Detail);
        Assert.Equal(0, controlPlane.Service<WorkloadRegistry>().Count);
    }

    [Fact]
    public async Task A_hello_without_a_node_id_is_rejected()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        using var call = controlPlane.Discovery.StreamSnapshots();

        await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = new Node { Workload = "x" } } });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("node.id", error.Status.Detail);
    }

    [Fact]
    public async Task A_second_hello_on_the_same_stream_is_a_protocol_error()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await using var proxy = await controlPlane.Proxy("productpage").ConnectAsync();
        await proxy.NextAsync();

        await proxy.Call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = proxy.Node } });

        var error = await Assert.ThrowsAsync<RpcException>(() => proxy.NextAsync());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        await Poll.ForAsync("an empty registry", () => controlPlane.Service<WorkloadRegistry>().Count, c => c == 0);
    }

    [Fact]
    public async Task A_reconnecting_proxy_replaces_its_old_stream()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await using var old = await controlPlane.Proxy("reviews-v1").ConnectAsync();
        await old.NextAsync();

        await using var renewed = await controlPlane.Proxy("reviews-v1").ConnectAsync();
        await renewed.NextAsync();

        // The old stream is completed by the server; the registration survives it.
        // (The server deregisters a stream before it completes it, so what follows sees the outcome.)
        Assert.False(await old.Call.ResponseStream.MoveNext(new CancellationTokenSource(Poll.DefaultBudget).Token));
        Assert.NotNull(controlPlane.Service<WorkloadRegistry>().Find("reviews-v1"));
        Assert.Single((await controlPlane.Admin.GetJsonAsync("/api/v1/proxies")).AsArray());
    }

    [Fact]
    public async Task Stopping_the_control_plane_completes_the_streams()
    {
        var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        using var channel = GrpcChannel.ForAddress(controlPlane.GrpcUri); // outlives the control plane's own client
        await using var proxy = await new TestProxy(new MeshDiscovery.MeshDiscoveryClient(channel), TestProxy.NodeFor("productpage")).ConnectAsync();
        await proxy.NextAsync();

        var stopping = controlPlane.DisposeAsync().AsTask();

        // The stream ends promptly with status OK. A client that has not yet read the final frame
        // when the server then closes the idle connection (GOAWAY NO_ERROR) sees that close
        // instead; either way the proxy learns at once that it must reconnect.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            Assert.False(await proxy.Call.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal(StatusCode.OK, proxy.Call.GetStatus().StatusCode);
        }
        catch (RpcException ex) when (ex.Status.Detail.Contains("NO_ERROR", StringComparison.Ordinal))
        {
        }

        await stopping;
    }

    [Fact]
    public async Task A_proxy_whose_snapshot_cannot_be_built_stays_connected_and_shows_the_error()
    {
        var builder = new TestSnapshotBuilder { FailForWorkload = "broken" };
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options(builder));
        await using var proxy = await controlPlane.Proxy("broken-1", n => n.Workload = "broken").ConnectAsync();

        var (_, status) = await Poll.ForAsync("a buildError in the proxy status", () => controlPlane.Admin.SendAsync(HttpMethod.Get, "/api/v1/proxies/broken-1"), r => r.Status == System.Net.HttpStatusCode.OK && r.Body["buildError"] is not null);

        Assert.Contains("cannot build for broken", status["buildError"]!.GetValue<string>());
        Assert.Equal("STALE", status["status"]!.GetValue<string>());
    }
}
