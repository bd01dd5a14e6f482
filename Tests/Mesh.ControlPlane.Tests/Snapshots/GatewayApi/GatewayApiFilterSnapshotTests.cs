using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using static Mesh.ControlPlane.Tests.Snapshots.GatewayApi.GatewayApiMesh;

namespace Mesh.ControlPlane.Tests.Snapshots.GatewayApi;

/// <summary>HTTPRoute and GRPCRoute features as the snapshot carries them (Istio's conversion).</summary>
public sealed class GatewayApiFilterSnapshotTests
{
    private static IReadOnlyList<Route> Routes(string rules, string kind = "HTTPRoute")
    {
        var inputs = Inputs($$"""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: bookinfo-gateway, namespace: default}
            spec:
              gatewayClassName: istio
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: {{kind}}
            metadata: {name: r, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
            {{rules}}
            """, GatewayProxy());
        return [.. SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes];
    }

    [Fact]
    public void Header_modifiers_become_header_operations_with_lower_case_names()
    {
        var route = Routes("""
              - filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier: {set: [{name: X-Set, value: a}], add: [{name: X-Add, value: b}], remove: [X-Remove]}
                - type: ResponseHeaderModifier
                  responseHeaderModifier: {set: [{name: X-Served-By, value: gateway}]}
                backendRefs:
                - name: reviews
                  port: 9080
                  filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Backend, value: reviews}]}}]
            """).Single();

        Assert.Equal("a", route.RequestHeaders.Set["x-set"]);
        Assert.Equal("b", route.RequestHeaders.Add["x-add"]);
        Assert.Equal(["x-remove"], route.RequestHeaders.Remove);
        Assert.Equal("gateway", route.ResponseHeaders.Set["x-served-by"]);
        Assert.Equal("reviews", route.Route_.Clusters.Single().RequestHeaders.Set["x-backend"]);
    }

    [Fact]
    public void A_redirect_defaults_to_302_and_a_full_path_rewrite_replaces_the_path()
    {
        var routes = Routes("""
              - matches: [{path: {type: PathPrefix, value: /old}}]
                filters: [{type: RequestRedirect, requestRedirect: {scheme: https, hostname: bookinfo.example.com, path: {type: ReplaceFullPath, replaceFullPath: /productpage}}}]
              - matches: [{path: {type: Exact, value: /v2}}]
                filters: [{type: URLRewrite, urlRewrite: {hostname: reviews.internal, path: {type: ReplaceFullPath, replaceFullPath: /reviews/0}}}]
                backendRefs: [{name: reviews, port: 9080}]
            """);

        var redirect = Assert.Single(routes, r => r.ActionCase == Route.ActionOneofCase.Redirect).Redirect;
        Assert.Equal((302u, "https", "bookinfo.example.com", "/productpage", 0u), (redirect.Code, redirect.Scheme, redirect.Authority, redirect.Uri, redirect.Port));
        var rewrite = Assert.Single(routes, r => r.ActionCase == Route.ActionOneofCase.Route_).Route_.Rewrite;
        Assert.Equal(("reviews.internal", "^.*$", "/reviews/0"), (rewrite.Authority, rewrite.UriRegex.Match, rewrite.UriRegex.Rewrite));
    }

    [Theory]
    [InlineData("/foo", "/xyz", "^/foo", "/xyz")]
    [InlineData("/foo/", "/xyz/", "^/foo", "/xyz")]
    [InlineData("/foo", "/", "^/foo(/|$)", "/")]
    [InlineData("/", "/xyz", "^/", "/xyz/")]
    public void ReplacePrefixMatch_is_a_path_segment_regex_rewrite(string prefix, string replacement, string match, string rewrite)
    {
        var regex = RouteFilterBuilder.PrefixRewrite(prefix, replacement);

        Assert.Equal((match, rewrite), (regex.Match, regex.Rewrite));
        // The spec's table for prefix /foo.
        foreach (var (path, replace, expected) in new[] { ("/foo/bar", "/xyz", "/xyz/bar"), ("/foo", "/xyz", "/xyz"), ("/foo/", "/xyz", "/xyz/"), ("/foo/bar", "/", "/bar"), ("/foo", "/", "/"), ("/foo/", "/", "/") })
        {
            var r = RouteFilterBuilder.PrefixRewrite("/foo", replace);
            Assert.Equal(expected, System.Text.RegularExpressions.Regex.Replace(path, r.Match, r.Rewrite.Replace("\\", "$", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Mirrors_timeouts_retries_and_weights_follow_Istios_conversion()
    {
        var route = Routes("""
              - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: ratings, port: 9080}, fraction: {numerator: 1, denominator: 4}}}]
                backendRefs: [{name: reviews, port: 9080, weight: 3}, {name: details, port: 9080, weight: 1}, {name: ratings, port: 9080, weight: 0}]
                timeouts: {request: 10s, backendRequest: 2s}
                retry: {attempts: 3, codes: [503]}
            """).Single();

        Assert.Equal(("outbound|9080||ratings.default.svc.cluster.local", 25.0), (route.Mirrors.Single().Cluster, route.Mirrors.Single().Percentage));
        Assert.Equal([75u, 25u], route.Route_.Clusters.Select(c => c.Weight));
        Assert.Equal(TimeSpan.FromSeconds(10), route.Route_.Timeout.ToTimeSpan());
        Assert.Equal((3u, TimeSpan.FromSeconds(2)), (route.Route_.Retries.Attempts, route.Route_.Retries.PerTryTimeout.ToTimeSpan()));
        Assert.Equal([503u], route.Route_.Retries.RetriableStatusCodes);
    }

    [Fact]
    public void Without_a_retry_stanza_the_mesh_default_retries_apply_and_backendRequest_is_the_timeout()
    {
        var route = Routes("""
              - backendRefs: [{name: reviews, port: 9080}]
                timeouts: {backendRequest: 2s}
            """).Single();

        Assert.Equal(RouteSnapshotBuilder.DefaultRetryPolicy(), route.Route_.Retries);
        Assert.Equal(TimeSpan.FromSeconds(2), route.Route_.Timeout.ToTimeSpan());
    }

    [Fact]
    public void Headers_query_parameters_and_methods_match_and_rank_before_plain_paths()
    {
        var routes = Routes("""
              - matches: [{path: {type: PathPrefix, value: /reviews}}]
                backendRefs: [{name: reviews, port: 9080}]
              - matches: [{path: {type: PathPrefix, value: /reviews}, method: GET, headers: [{name: End-User, value: jason}], queryParams: [{name: v, type: RegularExpression, value: "[23]"}]}]
                backendRefs: [{name: ratings, port: 9080}]
            """);

        var first = routes[0].Matches.Single();
        Assert.Equal(("exact:GET", "exact:jason", "regex:[23]"), (Describe(first.Method), Describe(first.Headers["end-user"]), Describe(first.QueryParams["v"])));
        Assert.Empty(routes[1].Matches.Single().Headers);
    }

    [Fact]
    public void GRPC_method_matches_become_paths()
    {
        var routes = Routes("""
              - matches:
                - method: {service: ratings.Ratings, method: GetRatings}
                - method: {service: ratings.Ratings}
                - method: {method: Health}
                backendRefs: [{name: ratings, port: 9080}]
            """, "GRPCRoute");

        Assert.Equal(["exact:/ratings.Ratings/GetRatings", "prefix:/ratings.Ratings/", "regex:/[^/]+/Health"], routes.Select(r => Describe(r.Matches.Single().Uri)));
        Assert.All(routes, r => Assert.Equal("GRPCRoute/r.default", r.VirtualService));
    }
}
