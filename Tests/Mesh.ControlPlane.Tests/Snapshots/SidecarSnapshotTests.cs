using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>Sidecar snapshots built from the Bookinfo registry and Istio's Bookinfo task configs.</summary>
public sealed class SidecarSnapshotTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    [Fact]
    public void Without_config_every_service_gets_a_default_route_to_all_its_endpoints()
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(), BookinfoMesh.ProductPage);

        Assert.Equal(
            ["details.default.svc.cluster.local:9080", "productpage.default.svc.cluster.local:9080", "ratings.default.svc.cluster.local:9080", "reviews.default.svc.cluster.local:9080"],
            snapshot.VirtualHosts.Select(v => v.Name));
        var reviews = snapshot.Host($"{Reviews}:9080");
        Assert.Equal(
            ["reviews", "reviews:9080", "reviews.default", "reviews.default:9080", "reviews.default.svc", "reviews.default.svc:9080", Reviews, $"{Reviews}:9080"],
            reviews.Domains);
        var route = Assert.Single(reviews.Routes);
        Assert.Empty(route.Matches);
        var cluster = Assert.Single(route.Route_.Clusters);
        Assert.Equal(($"outbound|9080||{Reviews}", 100u), (cluster.Cluster, cluster.Weight));

        // Istio's default retry policy applies when a route sets none.
        Assert.Equal(2u, route.Route_.Retries.Attempts);
        Assert.Equal(["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"], route.Route_.Retries.RetryOn);
        Assert.Equal([503u], route.Route_.Retries.RetriableStatusCodes);

        var endpoints = snapshot.Cluster($"outbound|9080||{Reviews}").Endpoints;
        Assert.Equal(["10.0.0.3:15003", "10.0.0.4:15004", "10.0.0.5:15005"], endpoints.Select(e => $"{e.Address}:{e.Port}"));
        var v2 = endpoints[1];
        Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-reviews", v2.Identity);
        Assert.True(v2.Mtls);
        Assert.Equal("v2", v2.Labels["version"]);
        Assert.Equal("reviews-v2", v2.Workload);
        Assert.Equal(OutboundTrafficPolicy.Types.Mode.AllowAny, snapshot.OutboundTrafficPolicy.Mode);
        Assert.Equal(MtlsMode.Permissive, snapshot.Inbound.Mtls);
        Assert.Equal("cluster.local", snapshot.TrustDomain);
        Assert.Single(snapshot.TrustBundlePem);
        Assert.Equal(3, snapshot.ConfigGeneration);
    }

    [Fact]
    public void All_v1_routes_every_service_to_its_v1_subset_whose_cluster_holds_only_v1_endpoints()
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-all-v1.yaml", "destination-rule-all.yaml"), BookinfoMesh.ProductPage);

        var route = Assert.Single(snapshot.Host($"{Reviews}:9080").Routes);
        Assert.Equal("reviews.default", route.VirtualService);
        Assert.Equal($"outbound|9080|v1|{Reviews}", Assert.Single(route.Route_.Clusters).Cluster);
        var v1 = snapshot.Cluster($"outbound|9080|v1|{Reviews}");
        Assert.Equal(["reviews-v1"], v1.Endpoints.Select(e => e.Workload));
        Assert.Equal("v1", v1.Subset);
        Assert.Equal(Protocol.Http, v1.Protocol);

        // Clusters exist for the default and every defined subset, even those without endpoints.
        Assert.Contains(snapshot.Clusters, c => c.Name == $"outbound|9080|v3|{Reviews}" && c.Endpoints.Single().Workload == "reviews-v3");
        Assert.Empty(snapshot.Cluster("outbound|9080|v2-mysql|ratings.default.svc.cluster.local").Endpoints);
        Assert.Equal(3, snapshot.Cluster($"outbound|9080||{Reviews}").Endpoints.Count);
    }

    [Fact]
    public void Reviews_test_v2_sends_jason_to_v2_and_everyone_else_to_v1()
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-reviews-test-v2.yaml", "destination-rule-all.yaml"), BookinfoMesh.ProductPage);

        var routes = snapshot.Host($"{Reviews}:9080").Routes;
        Assert.Equal(2, routes.Count);
        var jason = Assert.Single(routes[0].Matches);
        Assert.Equal("jason", jason.Headers["end-user"].Exact);
        Assert.Equal($"outbound|9080|v2|{Reviews}", routes[0].Route_.Clusters.Single().Cluster);
        Assert.Empty(routes[1].Matches);
        Assert.Equal($"outbound|9080|v1|{Reviews}", routes[1].Route_.Clusters.Single().Cluster);
        Assert.Equal("reviews.default#0", routes[0].Name);
    }

    [Theory]
    [InlineData("virtual-service-reviews-50-v3.yaml", "v1", 50u, "v3", 50u)]
    [InlineData("virtual-service-reviews-80-20.yaml", "v1", 80u, "v2", 20u)]
    [InlineData("virtual-service-reviews-v2-v3.yaml", "v2", 50u, "v3", 50u)]
    public void Weighted_splits_keep_their_weights(string file, string first, uint firstWeight, string second, uint secondWeight)
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(file, "destination-rule-all.yaml"), BookinfoMesh.ProductPage);

        var clusters = Assert.Single(snapshot.Host($"{Reviews}:9080").Routes).Route_.Clusters;
        Assert.Equal(
            [($"outbound|9080|{first}|{Reviews}", firstWeight), ($"outbound|9080|{second}|{Reviews}", secondWeight)],
            clusters.Select(c => (c.Cluster, c.Weight)));
    }

    [Fact]
    public void Relative_weights_are_normalized_to_percentages_that_sum_to_100()
    {
        Assert.Equal([34u, 33u, 33u], RouteTranslatorWeights([1, 1, 1]));
        Assert.Equal([25u, 75u], RouteTranslatorWeights([1, 3]));
        Assert.Equal([100u, 0u], RouteTranslatorWeights([5, 0]));
    }

    [Fact]
    public void Ratings_delay_and_abort_faults_apply_to_jason_only_for_the_reviews_v2_sidecar()
    {
        var delay = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-ratings-test-delay.yaml", "destination-rule-all.yaml"), BookinfoMesh.ReviewsV2);
        var routes = delay.Host("ratings.default.svc.cluster.local:9080").Routes;
        Assert.Equal(TimeSpan.FromSeconds(7), routes[0].Fault.Delay.FixedDelay.ToTimeSpan());
        Assert.Equal(100, routes[0].Fault.Delay.Percentage);
        Assert.Null(routes[1].Fault);

        var abort = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-ratings-test-abort.yaml", "destination-rule-all.yaml"), BookinfoMesh.ReviewsV2);
        var aborted = abort.Host("ratings.default.svc.cluster.local:9080").Routes[0];
        Assert.Equal(500u, aborted.Fault.Abort.HttpStatus);
        Assert.Equal(100, aborted.Fault.Abort.Percentage);
        Assert.Equal("jason", aborted.Matches.Single().Headers["end-user"].Exact);
    }

    [Fact]
    public void Source_label_matches_that_do_not_apply_to_the_node_are_dropped_with_their_rule()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: ratings}
            spec:
              hosts: [ratings]
              http:
              - match:
                - sourceLabels: {app: reviews, version: v2}
                fault: {abort: {httpStatus: 503}}
                route: [{destination: {host: ratings}}]
              - match:
                - sourceLabels: {app: reviews, version: v3}
                  headers: {x-test: {prefix: a}}
                - sourceNamespace: other
                route: [{destination: {host: ratings}}]
              - route: [{destination: {host: ratings}}]
            """);

        var forV2 = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ReviewsV2).Host("ratings.default.svc.cluster.local:9080").Routes;
        var forV3 = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ReviewsV3).Host("ratings.default.svc.cluster.local:9080").Routes;

        Assert.Equal(["ratings.default#0", "ratings.default#2"], forV2.Select(r => r.Name));
        Assert.Empty(forV2[0].Matches); // sourceLabels are decided here, so the proxy sees a match-all rule
        Assert.Equal(["ratings.default#1", "ratings.default#2"], forV3.Select(r => r.Name));
        Assert.Equal("a", Assert.Single(forV3[0].Matches).Headers["x-test"].Prefix);
    }

    [Fact]
    public void Route_features_map_to_the_snapshot()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews.default.svc.cluster.local]
              http:
              - name: api
                match:
                - uri: {regex: "/api/v[0-9]+/.*"}
                  method: {exact: GET}
                  queryParams: {debug: {}}
                  withoutHeaders: {x-skip: {}, x-env: {exact: prod}}
                  ignoreUriCase: true
                rewrite: {uri: /v1, authority: reviews-new}
                timeout: 0.5s
                retries: {attempts: 3, perTryTimeout: 100ms, retryOn: "5xx,503,reset"}
                mirror: {host: ratings}
                mirrorPercentage: {value: 25.5}
                headers:
                  request: {set: {X-Mesh: "1"}, remove: [x-drop]}
                  response: {add: {x-served-by: mesh}}
                corsPolicy:
                  allowOrigins: [{exact: "https://example.com"}]
                  allowMethods: [GET, POST]
                  allowCredentials: true
                  maxAge: 24h
                route:
                - destination: {host: reviews, subset: v2}
                  headers: {request: {set: {x-subset: v2}}}
              - match: [{uri: {prefix: /old}}]
                redirect: {uri: /new, redirectCode: 308}
              - match: [{uri: {exact: /health}}]
                directResponse: {status: 200, body: {string: ok}}
              - retries: {attempts: 0}
                route: [{destination: {host: reviews}}]
            """);

        var routes = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage).Host($"{Reviews}:9080").Routes;

        var api = routes[0];
        Assert.Equal("api", api.Name);
        var match = api.Matches.Single();
        Assert.Equal("/api/v[0-9]+/.*", match.Uri.Regex);
        Assert.Equal("GET", match.Method.Exact);
        Assert.True(match.QueryParams["debug"].Present);
        Assert.Equal(["x-skip"], match.WithoutHeaders);
        Assert.Equal("prod", match.WithoutHeaderMatches["x-env"].Exact);
        Assert.True(match.IgnoreUriCase);
        Assert.Equal(("/v1", "reviews-new"), (api.Route_.Rewrite.Uri, api.Route_.Rewrite.Authority));
        Assert.Equal(TimeSpan.FromMilliseconds(500), api.Route_.Timeout.ToTimeSpan());
        Assert.Equal(3u, api.Route_.Retries.Attempts);
        Assert.Equal(TimeSpan.FromMilliseconds(100), api.Route_.Retries.PerTryTimeout.ToTimeSpan());
        Assert.Equal(["5xx", "reset", "retriable-status-codes"], api.Route_.Retries.RetryOn);
        Assert.Equal([503u], api.Route_.Retries.RetriableStatusCodes);
        Assert.Equal(("outbound|9080||ratings.default.svc.cluster.local", 25.5), (api.Mirrors.Single().Cluster, api.Mirrors.Single().Percentage));
        Assert.Equal("1", api.RequestHeaders.Set["x-mesh"]);
        Assert.Equal(["x-drop"], api.RequestHeaders.Remove);
        Assert.Equal("mesh", api.ResponseHeaders.Add["x-served-by"]);
        Assert.Equal("v2", api.Route_.Clusters.Single().RequestHeaders.Set["x-subset"]);
        Assert.Equal("https://example.com", api.Cors.AllowOrigins.Single().Exact);
        Assert.True(api.Cors.AllowCredentials && api.Cors.HasAllowCredentials);
        Assert.Equal(TimeSpan.FromHours(24), api.Cors.MaxAge.ToTimeSpan());

        Assert.Equal(("/new", 308u), (routes[1].Redirect.Uri, routes[1].Redirect.Code));
        Assert.Equal((200u, "ok"), (routes[2].DirectResponse.Status, routes[2].DirectResponse.Body));
        Assert.Null(routes[3].Route_.Retries);
    }

    [Fact]
    public void An_undefined_subset_still_gets_a_route_and_a_cluster_without_endpoints()
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-all-v1.yaml"), BookinfoMesh.ProductPage);

        Assert.Equal($"outbound|9080|v1|{Reviews}", snapshot.Host($"{Reviews}:9080").Routes.Single().Route_.Clusters.Single().Cluster);
        Assert.Empty(snapshot.Cluster($"outbound|9080|v1|{Reviews}").Endpoints);
    }

    [Fact]
    public void Destination_rule_policies_merge_subset_and_port_level_settings()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer: {simple: ROUND_ROBIN}
                connectionPool:
                  tcp: {maxConnections: 10, connectTimeout: 2s}
                  http: {http1MaxPendingRequests: 5, maxRetries: 3}
                outlierDetection: {consecutive5xxErrors: 7, interval: 5s}
                tls: {mode: ISTIO_MUTUAL}
              subsets:
              - name: v1
                labels: {version: v1}
                trafficPolicy:
                  loadBalancer:
                    consistentHash: {httpHeaderName: x-user}
              - name: v2
                labels: {version: v2}
                trafficPolicy:
                  portLevelSettings:
                  - port: {number: 9080}
                    loadBalancer: {simple: RANDOM}
            """);

        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage);

        var all = snapshot.Cluster($"outbound|9080||{Reviews}");
        Assert.Equal(LoadBalancer.Types.Simple.RoundRobin, all.LoadBalancer.Simple);
        Assert.Equal((10u, 5u, 3u), (all.ConnectionPool.MaxConnections, all.ConnectionPool.Http1MaxPendingRequests, all.ConnectionPool.MaxRetries));
        Assert.Equal(TimeSpan.FromSeconds(2), all.ConnectionPool.ConnectTimeout.ToTimeSpan());
        Assert.Equal(7u, all.OutlierDetection.Consecutive5XxErrors);
        Assert.Equal(TimeSpan.FromSeconds(30), all.OutlierDetection.BaseEjectionTime.ToTimeSpan()); // Istio/Envoy default
        Assert.Equal(UpstreamTls.Types.Mode.IstioMutual, all.Tls.Mode);

        var v1 = snapshot.Cluster($"outbound|9080|v1|{Reviews}");
        Assert.Equal("x-user", v1.LoadBalancer.ConsistentHash.HttpHeaderName);
        Assert.Equal(10u, v1.ConnectionPool.MaxConnections); // inherited field by field
        Assert.Equal(UpstreamTls.Types.Mode.IstioMutual, v1.Tls.Mode);

        // A port-level entry replaces all four policy fields for that port: no inheritance.
        var v2 = snapshot.Cluster($"outbound|9080|v2|{Reviews}");
        Assert.Equal(LoadBalancer.Types.Simple.Random, v2.LoadBalancer.Simple);
        Assert.Null(v2.ConnectionPool);
        Assert.Null(v2.Tls);
        Assert.Null(v2.OutlierDetection);
    }

    [Fact]
    public void Sidecar_egress_hosts_reduce_what_the_proxy_sees()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: productpage}
            spec:
              workloadSelector: {labels: {app: productpage}}
              egress:
              - hosts: ["./reviews.default.svc.cluster.local", "./details"]
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """);

        var scoped = SnapshotBuilder.Build(BookinfoMesh.Inputs([.. objects, .. BookinfoMesh.Load("destination-rule-all.yaml")]), BookinfoMesh.ProductPage);
        var unscoped = SnapshotBuilder.Build(BookinfoMesh.Inputs([.. objects, .. BookinfoMesh.Load("destination-rule-all.yaml")]), BookinfoMesh.ReviewsV1);

        Assert.Equal(["details.default.svc.cluster.local:9080", $"{Reviews}:9080"], scoped.VirtualHosts.Select(v => v.Name));
        Assert.DoesNotContain(scoped.Clusters, c => c.Service.StartsWith("ratings", StringComparison.Ordinal));
        Assert.Equal(OutboundTrafficPolicy.Types.Mode.RegistryOnly, scoped.OutboundTrafficPolicy.Mode);
        Assert.True(scoped.CalculateSize() < unscoped.CalculateSize());
        Assert.Equal(4, unscoped.VirtualHosts.Count);
    }

    [Fact]
    public void The_Sidecar_that_applies_is_the_first_by_name_of_its_namespace_whose_selector_matches_then_its_namespace_default_then_the_root_default()
    {
        static string Scope(string name, string ns, string? selector, string host) =>
            "apiVersion: networking.istio.io/v1\nkind: Sidecar\n"
            + $"metadata: {{name: {name}, namespace: {ns}}}\nspec:\n"
            + (selector is null ? "" : $"  workloadSelector: {{labels: {selector}}}\n")
            + $"  egress:\n  - hosts: [\"*/{host}.default.svc.cluster.local\"]\n";

        var objects = BookinfoMesh.Parse(string.Join("---\n",
            Scope("a-reviews-v2", "default", "{app: reviews, version: v2}", "ratings"),
            Scope("b-reviews", "default", "{app: reviews}", "details"),
            Scope("c-version-v1", "default", "{version: v1}", "productpage"),
            Scope("ratings-elsewhere", "other", "{app: ratings}", "ratings"),
            Scope("default", "default", null, "reviews"),
            Scope("default", "istio-system", null, "details")));
        var inputs = BookinfoMesh.Inputs(objects);
        string[] Sees(Node node) => [.. SnapshotBuilder.Build(inputs, node).VirtualHosts.Select(v => v.Name.Split('.')[0])];

        Assert.Equal(["ratings"], Sees(BookinfoMesh.ReviewsV2)); // both reviews selectors match: the first (the model orders by name) applies
        Assert.Equal(["details"], Sees(BookinfoMesh.ReviewsV3)); // only {app: reviews} matches
        Assert.Equal(["details"], Sees(BookinfoMesh.ReviewsV1)); // {version: v1} matches too, but comes later by name
        Assert.Equal(["productpage"], Sees(BookinfoMesh.Details)); // {version: v1} is the first that matches details-v1
        var bar = BookinfoMesh.Ratings.Clone();
        bar.Namespace = "bar";
        bar.Labels["version"] = "v9";
        Assert.Equal(["details"], Sees(bar)); // no Sidecar in its namespace: the root namespace's default
        var unselected = BookinfoMesh.Ratings.Clone();
        unselected.Labels["version"] = "v9";
        Assert.Equal(["reviews"], Sees(unselected)); // another namespace's selector never applies: its namespace's default

        // A new model is looked up afresh: the same node with the first Sidecar removed gets the next.
        var changed = BookinfoMesh.Inputs(objects.Skip(1));
        Assert.Equal(["details"], SnapshotBuilder.Build(changed, BookinfoMesh.ReviewsV2).VirtualHosts.Select(v => v.Name.Split('.')[0]));
    }

    [Fact]
    public void Same_inputs_give_the_same_snapshot_and_version_and_a_change_gives_a_new_version()
    {
        var inputs = BookinfoMesh.Inputs("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml", "bookinfo-gateway.yaml");

        var first = SnapshotBuilder.Build(inputs, BookinfoMesh.ProductPage);
        var second = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml", "bookinfo-gateway.yaml"), BookinfoMesh.ProductPage.Clone());
        var changed = SnapshotBuilder.Build(BookinfoMesh.Inputs("virtual-service-reviews-v3.yaml", "destination-rule-all.yaml", "bookinfo-gateway.yaml"), BookinfoMesh.ProductPage);

        Assert.Equal(first, second);
        Assert.Equal(16, first.Version.Length);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal(SnapshotBuilder.VersionOf(first), first.Version);
        Assert.NotEqual(first.Version, changed.Version);
    }

    private static uint[] RouteTranslatorWeights(int[] weights)
    {
        var yaml = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n"
            + string.Concat(weights.Select((w, i) => $"    - destination: {{host: reviews, subset: s{i}}}\n      weight: {w}\n"));
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(yaml)), BookinfoMesh.ProductPage);
        return [.. snapshot.Host($"{Reviews}:9080").Routes.Single().Route_.Clusters.Select(c => c.Weight)];
    }
}
