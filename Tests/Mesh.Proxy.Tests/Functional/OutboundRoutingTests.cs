using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>Outbound (app → sidecar → upstream) routing through real sockets.</summary>
public sealed class OutboundRoutingTests
{
    private static readonly string ReviewsV1 = ClusterName("reviews", 9080, "v1");
    private static readonly string ReviewsV2 = ClusterName("reviews", 9080, "v2");

    [Fact]
    public async Task Outbound_listener_routes_to_the_backend_whatever_the_host_header()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(ReviewsV1))], [Cluster(ReviewsV1, v1)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/reviews/0?x=1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("reviews-v1", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(v1.Requests);
        Assert.Equal("/reviews/0?x=1", seen.Path);
        Assert.Equal($"127.0.0.1:{proxy.OutboundPort("reviews")}", seen.Host); // the caller's authority is preserved, as Envoy does
        var completed = await proxy.Observer.ForPathAsync("/reviews/0");
        Assert.Equal(ReviewsV1, completed.Cluster);
        Assert.Equal(ResponseFlags.None, completed.Flags);
        Assert.Equal(1, completed.Attempts);
    }

    [Theory]
    [InlineData(H2UpgradePolicy.H2UpgradeDefault, "HTTP/1.1")]
    [InlineData(H2UpgradePolicy.DoNotUpgrade, "HTTP/1.1")]
    [InlineData(H2UpgradePolicy.Upgrade, "HTTP/2")]
    public async Task H2_upgrade_policy_decides_the_protocol_to_a_plaintext_HTTP_service(H2UpgradePolicy policy, string expected)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1", protocols: expected == "HTTP/2" ? Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2 : Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var cluster = Cluster(ReviewsV1, v1);
        cluster.ConnectionPool = new ConnectionPool { H2UpgradePolicy = policy };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(ReviewsV1))], [cluster]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/reviews/0"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, Assert.Single(v1.Requests).Protocol);
    }

    [Fact]
    public async Task Header_match_sends_jason_to_v2_and_everyone_else_to_v1()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("reviews", 9080, To(ReviewsV2, "jason", HeaderExact("end-user", "jason")), To(ReviewsV1))],
            [Cluster(ReviewsV1, v1), Cluster(ReviewsV2, v2)]));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/reviews/0");

        foreach (var (user, expected) in new[] { ("jason", "reviews-v2"), ("alice", "reviews-v1"), ((string?)null, "reviews-v1"), ("Jason", "reviews-v1") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (user is not null)
            {
                request.Headers.Add("end-user", user);
            }

            var response = await bed.Client.SendAsync(request);
            Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Weighted_split_50_50_is_even_within_tolerance_and_100_0_never_picks_the_zero_weight()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var clusters = new[] { Cluster(ReviewsV1, v1), Cluster(ReviewsV2, v2) };
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");

        await bed.ApplyAsync(Snapshot("half", [ServiceHost("reviews", 9080, Split("split", (ReviewsV1, 50), (ReviewsV2, 50)))], clusters));
        const int total = 400;
        var counts = await CountBackendsAsync(bed.Client, url, total);
        // Binomial(400, 0.5): sd = 10; 150..250 is a 5-sigma band, so the test cannot flake but catches a broken split.
        Assert.InRange(counts.GetValueOrDefault("reviews-v1"), 150, 250);
        Assert.Equal(total, counts.GetValueOrDefault("reviews-v1") + counts.GetValueOrDefault("reviews-v2"));

        await bed.ApplyAsync(Snapshot("all-v2", [ServiceHost("reviews", 9080, Split("split", (ReviewsV1, 0), (ReviewsV2, 100)))], clusters));
        counts = await CountBackendsAsync(bed.Client, url, 200);
        Assert.Equal(200, counts.GetValueOrDefault("reviews-v2"));
        Assert.False(counts.ContainsKey("reviews-v1"));
    }

    [Fact]
    public async Task New_snapshot_changes_routing_live()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var clusters = new[] { Cluster(ReviewsV1, v1), Cluster(ReviewsV2, v2) };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(ReviewsV1))], clusters));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");
        Assert.Equal("reviews-v1", await bed.Client.GetStringAsync(url));

        // No restart, no new listener: the next snapshot takes over the running proxy (how fast is bench/'s question).
        await bed.ApplyAsync(Snapshot("2", [ServiceHost("reviews", 9080, To(ReviewsV2))], clusters));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("reviews-v2", await bed.Client.GetStringAsync(url));
        }

        Assert.Equal(1, v1.RequestCount);
    }

    [Fact]
    public async Task Unmatched_request_gets_404_with_flag_NR()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(ReviewsV1, "api", UriPrefix("/api/")))], [Cluster(ReviewsV1, v1)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/other"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, v1.RequestCount);
        Assert.Equal(ResponseFlags.NoRouteFound, (await proxy.Observer.ForPathAsync("/other")).Flags);
        Assert.Equal("NR", (await proxy.Observer.ForPathAsync("/other")).FlagsText);
    }

    [Fact]
    public async Task Cluster_without_endpoints_gets_503_UH_and_refused_connection_gets_503_UF()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var closedPort = await TestBackend.UnusedPortAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080).Outbound("ratings", 9080));
        var empty = ClusterName("reviews", 9080);
        var dead = ClusterName("ratings", 9080);
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("reviews", 9080, To(empty)), ServiceHost("ratings", 9080, To(dead))],
            [Cluster(empty, Protocol.Http), Cluster(dead, Protocol.Http, closedPort)]));

        var noEndpoints = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/uh"));
        var refused = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/uf"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, noEndpoints.StatusCode);
        Assert.Equal("no healthy upstream", await noEndpoints.Content.ReadAsStringAsync());
        Assert.Equal(ResponseFlags.NoHealthyUpstream, (await proxy.Observer.ForPathAsync("/uh")).Flags);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("connection failure", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(ResponseFlags.UpstreamConnectionFailure, (await proxy.Observer.ForPathAsync("/uf")).Flags);
    }

    [Fact]
    public async Task Catch_all_listener_routes_by_host_header_and_absolute_form_requests()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var reviews = await bed.BackendAsync("reviews");
        var ratings = await bed.BackendAsync("ratings");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).HttpProxy());
        var reviewsCluster = ClusterName("reviews", 9080);
        var ratingsCluster = ClusterName("ratings", 9080);
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("reviews", 9080, To(reviewsCluster)), ServiceHost("ratings", 9080, To(ratingsCluster))],
            [Cluster(reviewsCluster, reviews), Cluster(ratingsCluster, ratings)]));
        var catchAll = proxy.Port(ListenerKind.HttpProxy);

        // An app with HTTP_PROXY sends absolute-form requests.
        using var proxied = TestHttp.CreateProxiedClient(catchAll);
        Assert.Equal("ratings", await proxied.GetStringAsync("http://ratings:9080/ratings/0"));
        Assert.Equal("reviews", await proxied.GetStringAsync("http://reviews.default.svc.cluster.local:9080/reviews/0"));

        // Origin-form with a Host header works the same way.
        using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(catchAll, "/x"));
        request.Headers.Host = "reviews:9080";
        Assert.Equal("reviews", await (await bed.Client.SendAsync(request)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_host_passes_through_with_ALLOW_ANY_and_gets_502_NR_with_REGISTRY_ONLY()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var external = await bed.BackendAsync("external");
        var reviews = await bed.BackendAsync("reviews");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).HttpProxy());
        var reviewsCluster = ClusterName("reviews", 9080);
        var hosts = new[] { ServiceHost("reviews", 9080, To(reviewsCluster)) };
        var clusters = new[] { Cluster(reviewsCluster, reviews) };
        using var proxied = TestHttp.CreateProxiedClient(proxy.Port(ListenerKind.HttpProxy));
        var outside = $"http://localhost:{external.Port}/outside";

        await bed.ApplyAsync(Snapshot("allow", hosts, clusters, registryOnly: false));
        var allowed = await proxied.GetAsync(outside);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("external", await allowed.Content.ReadAsStringAsync());
        Assert.Equal($"localhost:{external.Port}", (await proxy.Observer.ForPathAsync("/outside")).Passthrough);

        await bed.ApplyAsync(Snapshot("registry-only", hosts, clusters, registryOnly: true));
        var refused = await proxied.GetAsync(outside);
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Equal(1, external.RequestCount);
        Assert.Equal(ResponseFlags.NoRouteFound, proxy.Observer.Requests.Last(r => r.Path == "/outside").Flags);
        Assert.Equal("reviews", await proxied.GetStringAsync("http://reviews:9080/")); // known hosts still route
    }

    [Fact]
    public async Task Requests_before_the_first_snapshot_get_503_and_readiness_is_503_until_applied()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var ready = TestHttp.Local(proxy.AdminPort, "/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await bed.Client.GetAsync(ready)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/early"))).StatusCode);
        Assert.Equal(ResponseFlags.NoClusterFound, (await proxy.Observer.ForPathAsync("/early")).Flags);
        Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/healthz"))).StatusCode);

        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(ReviewsV1))], [Cluster(ReviewsV1, v1)]));

        Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync(ready)).StatusCode);
        Assert.Equal("reviews-v1", await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/")));
    }

    private static async Task<Dictionary<string, int>> CountBackendsAsync(HttpClient client, Uri url, int total)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < total; i++)
        {
            var body = await client.GetStringAsync(url);
            counts[body] = counts.GetValueOrDefault(body) + 1;
        }

        return counts;
    }
}
