using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>Routes that answer themselves (redirect, direct response) and routes that rewrite the request, observed through a real sidecar.</summary>
public sealed class RouteActionTests
{
    private static readonly string Ratings = ClusterName("ratings", 9080);

    public static TheoryData<string, Redirect, string, string> Redirects => new()
    {
        { "uri keeps the query", new Redirect { Uri = "/v1/bookRatings" }, "ratings:9080", "http://ratings:9080/v1/bookRatings?id=7" },
        { "uri with its own query", new Redirect { Uri = "/v1/bookRatings?all=1" }, "ratings:9080", "http://ratings:9080/v1/bookRatings?all=1" },
        { "authority replaces host and port", new Redirect { Authority = "newratings.default.svc.cluster.local" }, "ratings:9080", "http://newratings.default.svc.cluster.local/v1/getProductRatings?id=7" },
        { "https drops the default http port", new Redirect { Scheme = "https" }, "ratings:80", "https://ratings/v1/getProductRatings?id=7" },
        { "https keeps another port", new Redirect { Scheme = "https" }, "ratings:9080", "https://ratings:9080/v1/getProductRatings?id=7" },
        { "explicit port", new Redirect { Scheme = "https", Port = 8443 }, "ratings:9080", "https://ratings:8443/v1/getProductRatings?id=7" },
        { "port from the request", new Redirect { Authority = "other", DerivePortFromRequest = true }, "ratings", "http://other:9080/v1/getProductRatings?id=7" },
    };

    [Theory]
    [MemberData(nameof(Redirects))]
    public async Task Redirect_answers_301_with_the_location_Envoy_builds(string description, Redirect redirect, string host, string expectedLocation)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, TrafficRoutes.Redirecting("moved", redirect))], [Cluster(Ratings, backend)]));

        using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(proxy.OutboundPort("ratings"), "/v1/getProductRatings?id=7"));
        request.Headers.Host = host;
        var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal(expectedLocation, response.Headers.Location?.OriginalString);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
        Assert.True(0 == backend.RequestCount, description);
    }

    [Theory]
    [InlineData(302u, HttpStatusCode.Found)]
    [InlineData(307u, HttpStatusCode.TemporaryRedirect)]
    [InlineData(308u, HttpStatusCode.PermanentRedirect)]
    public async Task Redirect_uses_the_configured_code(uint code, HttpStatusCode expected)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, TrafficRoutes.Redirecting("moved", new Redirect { Uri = "/new", Code = code }))], [Cluster(Ratings, Protocol.Http, 1)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/old"));

        Assert.Equal(expected, response.StatusCode);
        Assert.EndsWith("/new", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Direct_response_answers_with_its_status_body_and_response_headers_without_an_upstream()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        var teapot = TrafficRoutes.Answering("teapot", 418, "short and stout", UriPrefix("/tea"))
            .WithResponseHeaders(TrafficRoutes.Ops(set: [("x-served-by", "mesh")]));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, teapot, To(Ratings))], [Cluster(Ratings, backend)]));
        var port = proxy.OutboundPort("ratings");

        var tea = await bed.Client.GetAsync(TestHttp.Local(port, "/tea"));
        var other = await bed.Client.GetAsync(TestHttp.Local(port, "/coffee"));

        Assert.Equal((HttpStatusCode)418, tea.StatusCode);
        Assert.Equal("short and stout", await tea.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", tea.Content.Headers.ContentType?.MediaType);
        Assert.Equal("mesh", Assert.Single(tea.Headers.GetValues("x-served-by")));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, backend.RequestCount);
        var completed = await proxy.Observer.ForPathAsync("/tea");
        Assert.Equal("teapot", completed.Route);
        Assert.Null(completed.Cluster);
        Assert.Equal(0, completed.Attempts);
    }

    public static TheoryData<RouteMatch?, Rewrite, string, string> Rewrites => new()
    {
        { UriPrefix("/reviews/"), new Rewrite { Uri = "/v2/reviews/" }, "/reviews/1?user=jason", "/v2/reviews/1?user=jason" },
        { UriPrefix("/reviews"), new Rewrite { Uri = "/" }, "/reviews/1", "//1" },
        { TrafficRoutes.UriExact("/productpage"), new Rewrite { Uri = "/index.html" }, "/productpage?u=normal", "/index.html?u=normal" },
        { TrafficRoutes.UriRegex("/ratings/[0-9]+"), new Rewrite { Uri = "/ratings" }, "/ratings/42", "/ratings" },
        { null, new Rewrite { Uri = "/v2" }, "/health", "/v2health" },
        { null, new Rewrite { UriRegex = new RegexRewrite { Match = "^/service/([^/]+)(/.*)$", Rewrite = "\\2/instance/\\1" } }, "/service/foo/v1/api?q=1", "/v1/api/instance/foo?q=1" },
        { null, new Rewrite { UriRegex = new RegexRewrite { Match = "a", Rewrite = "b" } }, "/banana", "/bbnbnb" },
    };

    [Theory]
    [MemberData(nameof(Rewrites))]
    public async Task Uri_rewrites_follow_Envoy_prefix_and_regex_semantics(RouteMatch? match, Rewrite rewrite, string requestPath, string expectedUpstreamPath)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("reviews");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var route = (match is null ? To(ClusterName("reviews", 9080)) : To(ClusterName("reviews", 9080), "rewritten", match)).WithRewrite(rewrite);
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, route)], [Cluster(ClusterName("reviews", 9080), backend)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), requestPath));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(backend.Requests);
        Assert.Equal(expectedUpstreamPath, seen.Path);
        Assert.Equal(requestPath.Split('?')[0], seen.Headers["x-envoy-original-path"]);
    }

    [Fact]
    public async Task Authority_rewrite_changes_the_host_the_upstream_sees_but_not_what_telemetry_records()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("reviews");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var route = To(ClusterName("reviews", 9080)).WithRewrite(new Rewrite { Authority = "reviews.internal:8080", Uri = "/api/" });
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, route)], [Cluster(ClusterName("reviews", 9080), backend)]));

        await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/reviews/1"));

        var seen = Assert.Single(backend.Requests);
        Assert.Equal("reviews.internal:8080", seen.Host);
        Assert.Equal("/api/reviews/1", seen.Path);
        Assert.Equal("/reviews/1", (await proxy.Observer.ForPathAsync("/reviews/1")).Path);
    }

    [Fact]
    public async Task Route_header_operations_change_the_request_and_the_response()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("reviews", async context =>
        {
            context.Response.Headers["x-internal"] = "secret";
            context.Response.Headers["x-version"] = "backend";
            context.Response.Headers["x-trace"] = "one";
            await context.Response.WriteAsync("ok");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var route = To(ClusterName("reviews", 9080))
            .WithRequestHeaders(TrafficRoutes.Ops(set: [("x-user", "mesh")], add: [("x-tag", "added")], remove: ["x-debug"]))
            .WithResponseHeaders(TrafficRoutes.Ops(set: [("x-version", "v2")], add: [("x-trace", "two")], remove: ["x-internal"]));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, route)], [Cluster(ClusterName("reviews", 9080), backend)]));

        using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(proxy.OutboundPort("reviews"), "/"));
        request.Headers.Add("x-user", "caller");
        request.Headers.Add("x-tag", "original");
        request.Headers.Add("x-debug", "1");
        var response = await bed.Client.SendAsync(request);

        var seen = Assert.Single(backend.Requests).Headers;
        Assert.Equal("mesh", seen["x-user"]);
        Assert.Equal(["original", "added"], seen["x-tag"].Split(',').Select(v => v.Trim()));
        Assert.False(seen.ContainsKey("x-debug"));
        Assert.False(response.Headers.Contains("x-internal"));
        Assert.Equal(["v2"], response.Headers.GetValues("x-version"));
        Assert.Equal(["one", "two"], response.Headers.GetValues("x-trace"));
    }

    [Fact]
    public async Task Destination_header_operations_follow_the_picked_destination_and_route_set_wins()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var (c1, c2) = (ClusterName("reviews", 9080, "v1"), ClusterName("reviews", 9080, "v2"));
        var route = Split("split", (c1, 50), (c2, 50)).WithRequestHeaders(TrafficRoutes.Ops(set: [("x-owner", "route")]));
        route.Route_.Clusters[0].RequestHeaders = TrafficRoutes.Ops(set: [("x-subset", "v1"), ("x-owner", "v1")]);
        route.Route_.Clusters[0].ResponseHeaders = TrafficRoutes.Ops(set: [("x-picked", "v1")]);
        route.Route_.Clusters[1].RequestHeaders = TrafficRoutes.Ops(set: [("x-subset", "v2")]);
        route.Route_.Clusters[1].ResponseHeaders = TrafficRoutes.Ops(set: [("x-picked", "v2")]);
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, route)], [Cluster(c1, v1), Cluster(c2, v2)]));

        for (var i = 0; i < 30; i++)
        {
            var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(body == "reviews-v1" ? "v1" : "v2", Assert.Single(response.Headers.GetValues("x-picked")));
        }

        Assert.True(v1.RequestCount > 0 && v2.RequestCount > 0, $"both subsets should be picked ({v1.RequestCount}/{v2.RequestCount})");
        Assert.All(v1.Requests, r => Assert.Equal(("v1", "route"), (r.Headers["x-subset"], r.Headers["x-owner"])));
        Assert.All(v2.Requests, r => Assert.Equal(("v2", "route"), (r.Headers["x-subset"], r.Headers["x-owner"])));
    }
}
