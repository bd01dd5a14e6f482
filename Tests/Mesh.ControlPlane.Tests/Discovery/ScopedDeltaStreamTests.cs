using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// <c>Sidecar</c> egress scoping and endpoint churn on real delta streams with the production
/// builder: a scoped proxy holds exactly the services it imports, a change outside its scope sends
/// it nothing (its proxy-status stays SYNCED on the version it holds), a change inside sends only
/// the changed resource, and a replica joining or leaving a service it sees sends endpoints only.
/// </summary>
public sealed class ScopedDeltaStreamTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";
    private const string Ratings = "ratings.default.svc.cluster.local";

    private const string ProductPageScope = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: productpage, namespace: default}
        spec:
          workloadSelector: {labels: {app: productpage}}
          egress:
          - hosts: [./reviews.default.svc.cluster.local]
        """;

    [Fact]
    public async Task A_scoped_proxy_gets_its_services_only_nothing_for_changes_outside_and_endpoints_only_for_churn()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions());
        await controlPlane.ApplyAsync(ProductPageScope);
        using var reviews = await ConnectAsync(controlPlane, "reviews-1", "reviews");
        using var ratings = await ConnectAsync(controlPlane, "ratings-1", "ratings");
        var assembler = new SnapshotDeltaAssembler();
        using var productPage = await ConnectAsync(controlPlane, "productpage-1", "productpage", assembler);

        // Until it holds reviews' endpoint (the registrations arrive in any order).
        var held = await ReceiveUntilAsync(productPage, assembler, s => s.Clusters.Any(c => c.Service == Reviews && c.Endpoints.Count > 0));
        Assert.Equal([$"{Reviews}:9080"], held.VirtualHosts.Select(v => v.Name));
        Assert.Equal([Reviews], held.Clusters.Select(c => c.Service).Distinct());
        var connection = controlPlane.Service<ConnectedProxies>().Find("productpage-1")!;
        await Poll.UntilAsync("productpage SYNCED", () => connection.GetStatus().Status == ProxySyncStatus.Synced);
        var heldVersion = assembler.Version;

        // Outside its scope: ratings' routes and a ratings replica joining. Ratings' own proxy (which
        // sees every service) receives both; productpage receives nothing and stays SYNCED.
        var outside = await controlPlane.ApplyAsync(RouteWithTimeout("ratings", "3s"));
        var ratingsConnection = controlPlane.Service<ConnectedProxies>().Find("ratings-1")!;
        await Poll.UntilAsync("ratings' proxy to be sent the ratings change", () => ratingsConnection.GetStatus().SentConfigGeneration == outside);
        using (var ratingsReplica = await ConnectAsync(controlPlane, "ratings-2", "ratings"))
        {
            await Poll.UntilAsync(
                "ratings' proxy to be sent the new ratings endpoint",
                () => ratingsConnection.LastSent?.Clusters.Any(c => c.Service == Ratings && c.Endpoints.Any(e => e.NodeId == "ratings-2")) == true);
        }

        Assert.Equal(ProxySyncStatus.Synced, connection.GetStatus().Status);
        Assert.Equal(heldVersion, connection.GetStatus().AckedVersion);

        // Nothing was sent, yet the proxy routes by the newer generation as much as by the older one:
        // proxy-status says so (what "SYNCED at generation N" waits on), while the sent snapshot
        // stays the one built before the change.
        Assert.True(connection.GetStatus().SentConfigGeneration < outside);
        Assert.Equal(outside, connection.GetStatus().CurrentConfigGeneration);

        // Inside its scope: the next delta is the reviews change, from what it held — so nothing came
        // in between — and carries only the one virtual host that changed.
        var inside = await controlPlane.ApplyAsync(RouteWithTimeout("reviews", "5s"));
        var change = await NextAsync(productPage);
        Assert.Equal(heldVersion, change.BaseVersion);
        Assert.Equal(inside, change.ConfigGeneration);
        Assert.Equal([("virtual_hosts", $"{Reviews}:9080")], change.Resources.Select(r => (r.Type, r.Name)));
        Assert.Empty(change.Removed);
        await ApplyAndAckAsync(productPage, assembler, change);

        // Churn: a reviews replica joins, then leaves. Each sends the reviews endpoints and nothing else.
        using (var reviewsReplica = await ConnectAsync(controlPlane, "reviews-2", "reviews"))
        {
            var joined = await NextAsync(productPage);
            AssertEndpointsOnly(joined);
            var snapshot = await ApplyAndAckAsync(productPage, assembler, joined);
            Assert.Contains(snapshot.Clusters.Single(c => c.Service == Reviews).Endpoints, e => e.NodeId == "reviews-2");
        }

        var left = await NextAsync(productPage);
        AssertEndpointsOnly(left);
        var after = await ApplyAndAckAsync(productPage, assembler, left);
        Assert.DoesNotContain(after.Clusters.Single(c => c.Service == Reviews).Endpoints, e => e.NodeId == "reviews-2");
        await Poll.UntilAsync("productpage SYNCED on the last delta", () => connection.GetStatus() is { Status: ProxySyncStatus.Synced } s && s.AckedVersion == left.Version);
    }

    [Fact]
    public async Task Scopes_that_share_a_service_each_keep_exactly_their_own_and_a_Sidecar_change_moves_only_its_proxies()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions());
        await controlPlane.ApplyAsync(ProductPageScope + "\n---\n" + DetailsScope("./reviews.default.svc.cluster.local", "./ratings.default.svc.cluster.local"));
        using var reviews = await ConnectAsync(controlPlane, "reviews-1", "reviews");
        using var ratings = await ConnectAsync(controlPlane, "ratings-1", "ratings");
        var productPageHeld = new SnapshotDeltaAssembler();
        using var productPage = await ConnectAsync(controlPlane, "productpage-1", "productpage", productPageHeld);
        var detailsHeld = new SnapshotDeltaAssembler();
        using var details = await ConnectAsync(controlPlane, "details-1", "details", detailsHeld);

        static bool HasEndpoints(ProxySnapshot s, params string[] services) =>
            services.All(service => s.Clusters.Any(c => c.Service == service && c.Endpoints.Count > 0));
        var productPageSnapshot = await ReceiveUntilAsync(productPage, productPageHeld, s => HasEndpoints(s, Reviews));
        var detailsSnapshot = await ReceiveUntilAsync(details, detailsHeld, s => HasEndpoints(s, Reviews, Ratings));
        Assert.Equal([Reviews], productPageSnapshot.Clusters.Select(c => c.Service).Distinct());
        Assert.Equal([Ratings, Reviews], detailsSnapshot.Clusters.Select(c => c.Service).Distinct().Order());
        var detailsConnection = controlPlane.Service<ConnectedProxies>().Find("details-1")!;
        await Poll.UntilAsync("details SYNCED", () => detailsConnection.GetStatus().Status == ProxySyncStatus.Synced);
        var detailsVersion = detailsHeld.Version;

        // productpage's Sidecar now imports ratings too: productpage gets ratings' virtual host and
        // clusters (and holds exactly both services); details, whose scope did not change, gets nothing.
        var widened = await controlPlane.ApplyAsync(ProductPageScope.Replace("]", ", ./ratings.default.svc.cluster.local]", StringComparison.Ordinal));
        var change = await NextAsync(productPage);
        Assert.Equal(widened, change.ConfigGeneration);
        var after = await ApplyAndAckAsync(productPage, productPageHeld, change);
        Assert.Equal([$"{Ratings}:9080", $"{Reviews}:9080"], after.VirtualHosts.Select(v => v.Name).Order());
        Assert.Equal([Ratings, Reviews], after.Clusters.Select(c => c.Service).Distinct().Order());
        Assert.All(after.Clusters, c => Assert.NotEmpty(c.Endpoints));

        // A reviews change reaches both, each as one virtual host from what it held — so details was
        // sent nothing for the Sidecar change — and each still holds exactly its own services.
        var reviewsChange = await controlPlane.ApplyAsync(RouteWithTimeout("reviews", "4s"));
        foreach (var (stream, held, services) in new[] { (productPage, productPageHeld, new[] { Ratings, Reviews }), (details, detailsHeld, new[] { Ratings, Reviews }) })
        {
            var before = held.Version;
            var delta = await NextAsync(stream);
            Assert.Equal(reviewsChange, delta.ConfigGeneration);
            Assert.Equal(before, delta.BaseVersion);
            Assert.Equal([("virtual_hosts", $"{Reviews}:9080")], delta.Resources.Select(r => (r.Type, r.Name)));
            var snapshot = await ApplyAndAckAsync(stream, held, delta);
            Assert.Equal(services, snapshot.Clusters.Select(c => c.Service).Distinct().Order());
        }

        Assert.NotEqual(detailsVersion, detailsHeld.Version);
        await Poll.UntilAsync("details SYNCED on the reviews change", () => detailsConnection.GetStatus() is { Status: ProxySyncStatus.Synced } s && s.AckedVersion == detailsHeld.Version);
    }

    [Fact]
    public async Task A_policy_or_telemetry_change_reaches_only_the_workloads_it_selects_and_each_keeps_exactly_its_services()
    {
        // productpage and details are two shapes with the same (no) policies: they share one built
        // inbound policy and telemetry piece. Each change must reach the one workload it selects, as
        // its own piece, and a piece changed back and forth must never come out stale.
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions());
        await controlPlane.ApplyAsync(ProductPageScope + "\n---\n" + DetailsScope("./reviews.default.svc.cluster.local"));
        using var reviews = await ConnectAsync(controlPlane, "reviews-1", "reviews");
        var productPageHeld = new SnapshotDeltaAssembler();
        using var productPage = await ConnectAsync(controlPlane, "productpage-1", "productpage", productPageHeld);
        var detailsHeld = new SnapshotDeltaAssembler();
        using var details = await ConnectAsync(controlPlane, "details-1", "details", detailsHeld);
        await ReceiveUntilAsync(productPage, productPageHeld, s => s.Clusters.Any(c => c.Service == Reviews && c.Endpoints.Count > 0));
        await ReceiveUntilAsync(details, detailsHeld, s => s.Clusters.Any(c => c.Service == Reviews && c.Endpoints.Count > 0));
        var proxies = controlPlane.Service<ConnectedProxies>();
        var productPageConnection = proxies.Find("productpage-1")!;
        await Poll.UntilAsync("productpage SYNCED", () => productPageConnection.GetStatus().Status == ProxySyncStatus.Synced);
        var productPageVersion = productPageHeld.Version;

        // A policy selecting details: details gets its inbound policy, nothing else; productpage nothing.
        var allowGet = await controlPlane.ApplyAsync(DetailsPolicy("GET"));
        var delta = await NextAsync(details);
        Assert.Equal(allowGet, delta.ConfigGeneration);
        Assert.Equal(["inbound"], delta.Resources.Select(r => r.Type));
        var snapshot = await ApplyAndAckAsync(details, detailsHeld, delta);
        Assert.Equal(["GET"], snapshot.Inbound.Authorization.Single().Rules.Single().To.Single().Methods);
        Assert.Equal([Reviews], snapshot.Clusters.Select(c => c.Service).Distinct());

        // The same policy changed: the new rule, not the piece built for the old one.
        var allowPost = await controlPlane.ApplyAsync(DetailsPolicy("POST"));
        delta = await NextAsync(details);
        Assert.Equal(allowPost, delta.ConfigGeneration);
        snapshot = await ApplyAndAckAsync(details, detailsHeld, delta);
        Assert.Equal(["POST"], snapshot.Inbound.Authorization.Single().Rules.Single().To.Single().Methods);

        // A Telemetry selecting productpage: its telemetry alone moves; details gets nothing (its next
        // delta is the reviews change below, from the snapshot it held).
        var sampled = await controlPlane.ApplyAsync(Sampling("productpage", 25));
        delta = await NextAsync(productPage);
        Assert.Equal(sampled, delta.ConfigGeneration);
        Assert.Equal(productPageVersion, delta.BaseVersion);
        Assert.Equal(["telemetry"], delta.Resources.Select(r => r.Type));
        snapshot = await ApplyAndAckAsync(productPage, productPageHeld, delta);
        Assert.Equal(25, snapshot.Telemetry.SamplingPercentage);
        Assert.Empty(snapshot.Inbound.Authorization);

        // Back to what it was before: productpage's telemetry is the unselected one again.
        await controlPlane.ApplyAsync(Sampling("nobody", 100));
        snapshot = await ApplyAndAckAsync(productPage, productPageHeld, await NextAsync(productPage));
        Assert.False(snapshot.Telemetry.HasSampling);

        var detailsVersion = detailsHeld.Version;
        var reviewsChange = await controlPlane.ApplyAsync(RouteWithTimeout("reviews", "4s"));
        foreach (var (stream, held) in new[] { (productPage, productPageHeld), (details, detailsHeld) })
        {
            var before = held.Version;
            delta = await NextAsync(stream);
            Assert.Equal(reviewsChange, delta.ConfigGeneration);
            Assert.Equal(before, delta.BaseVersion);
            Assert.Equal([("virtual_hosts", $"{Reviews}:9080")], delta.Resources.Select(r => (r.Type, r.Name)));
            snapshot = await ApplyAndAckAsync(stream, held, delta);
            Assert.Equal([Reviews], snapshot.Clusters.Select(c => c.Service).Distinct());
        }

        Assert.Equal(["POST"], snapshot.Inbound.Authorization.Single().Rules.Single().To.Single().Methods);
        Assert.NotEqual(detailsVersion, detailsHeld.Version);
    }

    private static string DetailsPolicy(string method) => $$"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: details
          namespace: default
        spec:
          selector:
            matchLabels:
              app: details
          rules:
          - to:
            - operation:
                methods:
                - {{method}}
        """;

    private static string Sampling(string app, int percentage) => $$"""
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata:
          name: sampling
          namespace: default
        spec:
          selector:
            matchLabels:
              app: {{app}}
          tracing:
          - randomSamplingPercentage: {{percentage}}
        """;

    private static string DetailsScope(params string[] hosts) => ProductPageScope
        .Replace("productpage", "details", StringComparison.Ordinal)
        .Replace("[./reviews.default.svc.cluster.local]", $"[{string.Join(", ", hosts)}]", StringComparison.Ordinal);

    private static void AssertEndpointsOnly(SnapshotDelta delta)
    {
        Assert.Equal([(SnapshotResources.EndpointsTypeName, $"outbound|9080||{Reviews}")], delta.Resources.Select(r => (r.Type, r.Name)));
        Assert.Empty(delta.Removed);
        Assert.Empty(delta.Orders);
    }

    private static string RouteWithTimeout(string service, string timeout) => $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: {{service}}, namespace: default}
        spec:
          hosts: [{{service}}]
          http:
          - route:
            - destination: {host: {{service}}}
            timeout: {{timeout}}
        """;

    /// <summary>
    /// A workload of service <paramref name="app"/> on the delta stream (its registration lasts as
    /// long as the stream). Without an assembler the test does not read it: it ACKs every delta by
    /// itself, as a proxy does, so the control plane keeps sending it the latest.
    /// </summary>
    private static async Task<AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta>> ConnectAsync(
        TestControlPlane controlPlane, string id, string app, SnapshotDeltaAssembler? assembler = null)
    {
        var stream = await OpenAsync(controlPlane, id, app, assembler);
        if (assembler is null)
        {
            _ = AckEveryDeltaAsync(stream);
        }

        return stream;
    }

    private static async Task AckEveryDeltaAsync(AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream)
    {
        try
        {
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                var delta = stream.ResponseStream.Current;
                await stream.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = delta.Version, Nonce = delta.Nonce } });
            }
        }
        catch (Exception ex) when (ex is RpcException or ObjectDisposedException or InvalidOperationException)
        {
            // The test disposed the stream: this workload left.
        }
    }

    private static async Task<AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta>> OpenAsync(
        TestControlPlane controlPlane, string id, string app, SnapshotDeltaAssembler? assembler)
    {
        var node = TestProxy.NodeFor(id, n =>
        {
            n.Labels["app"] = app;
            n.Services.Add(new ServiceMembership
            {
                Name = app,
                Ports = { new ServicePort { Name = "http", Port = 9080, Protocol = Protocol.Http, TargetPort = 9080 } },
            });
        });
        var stream = controlPlane.Discovery.StreamDeltas(controlPlane.TokenFor("bookinfo-" + id, id) is { } token ? new Metadata { { "authorization", $"Bearer {token}" } } : null);
        await stream.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = node, Version = assembler?.Version ?? "" } });
        return stream;
    }

    private static async Task<ProxySnapshot> ReceiveUntilAsync(
        AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream, SnapshotDeltaAssembler assembler, Func<ProxySnapshot, bool> done)
    {
        while (true)
        {
            var snapshot = await ApplyAndAckAsync(stream, assembler, await NextAsync(stream));
            if (done(snapshot))
            {
                return snapshot;
            }
        }
    }

    private static async Task<ProxySnapshot> ApplyAndAckAsync(AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream, SnapshotDeltaAssembler assembler, SnapshotDelta delta)
    {
        var applied = assembler.Apply(delta);
        assembler.Commit(applied);
        await stream.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = delta.Version, Nonce = delta.Nonce } });
        return applied.Snapshot;
    }

    private static async Task<SnapshotDelta> NextAsync(AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> stream)
    {
        using var cancel = new CancellationTokenSource(Poll.DefaultBudget);
        Assert.True(await stream.ResponseStream.MoveNext(cancel.Token), "the control plane ended the stream");
        return stream.ResponseStream.Current;
    }
}
