using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using static Mesh.ControlPlane.Tests.Snapshots.GatewayApi.GatewayApiMesh;

namespace Mesh.ControlPlane.Tests.Snapshots.GatewayApi;

/// <summary>
/// The bad input: a route a listener does not allow, a backend that is missing or in
/// another namespace without a ReferenceGrant, conflicting listeners, an invalid regex. Each is not
/// programmed, its status says why with the spec's reason, and what worked keeps working.
/// </summary>
public sealed class GatewayApiBadInputTests
{
    private const string Gateway = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: bookinfo-gateway, namespace: default}
        spec:
          gatewayClassName: istio
          listeners:
          - {name: http, port: 80, protocol: HTTP}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: working, namespace: default}
        spec:
          parentRefs: [{name: bookinfo-gateway}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /productpage}}]
            backendRefs: [{name: productpage, port: 9080}]
        ---

        """;

    [Fact]
    public void A_route_from_a_namespace_the_listener_does_not_allow_is_not_attached()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: intruder, namespace: other}
            spec:
              parentRefs: [{name: bookinfo-gateway, namespace: default}]
              rules: [{backendRefs: [{name: productpage, namespace: default, port: 9080}]}]
            """, GatewayProxy());

        var accepted = Summary(Condition(RouteConditions(Status(inputs), "HTTPRoute/other/intruder"), "Accepted"));

        Assert.Equal(("False", "NotAllowedByListeners"), (accepted.Status, accepted.Reason));
        Assert.Contains("namespace \"other\" is not allowed", accepted.Message, StringComparison.Ordinal);
        StillWorking(inputs);
    }

    [Fact]
    public void A_route_of_a_kind_the_listener_does_not_allow_is_not_attached()
    {
        var inputs = Inputs("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: bookinfo-gateway, namespace: default}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: http, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{kind: GRPCRoute}]}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules: [{backendRefs: [{name: productpage, port: 9080}]}]
            """, GatewayProxy());

        var accepted = Summary(Condition(RouteConditions(Status(inputs), "HTTPRoute/default/web"), "Accepted"));

        Assert.Equal(("False", "NotAllowedByListeners", "kind HTTPRoute is not allowed by listener http (it admits GRPCRoute)"), accepted);
        Assert.Empty(SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts);
    }

    [Theory]
    [InlineData("{name: no-such-service, port: 9080}", "BackendNotFound", "backend(no-such-service.default.svc.cluster.local) not found")]
    [InlineData("{name: productpage, port: 9999}", "BackendNotFound", "backend(productpage.default.svc.cluster.local) has no port 9999")]
    [InlineData("{name: reviews, namespace: team, port: 9080}", "RefNotPermitted", "backendRef reviews/team not accessible to a HTTPRoute in namespace \"default\" (missing a ReferenceGrant?)")]
    [InlineData("{group: example.com, kind: Bucket, name: b, port: 80}", "InvalidKind", "referencing unsupported backendRef: group \"example.com\" kind \"Bucket\"")]
    public void A_rule_whose_only_backend_is_invalid_answers_500_and_says_why(string backend, string reason, string message)
    {
        var inputs = Inputs(Gateway + $$$"""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: broken, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /broken}}]
                backendRefs: [{{{backend}}}]
            """, GatewayProxy());

        var conditions = RouteConditions(Status(inputs), "HTTPRoute/default/broken");

        Assert.Equal(("False", reason, message), Summary(Condition(conditions, "ResolvedRefs")));
        Assert.Equal("True", Summary(Condition(conditions, "Accepted")).Status);
        var broken = Assert.Single(SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes, r => r.VirtualService == "HTTPRoute/broken.default");
        Assert.Equal(500u, broken.DirectResponse.Status);
        StillWorking(inputs);
    }

    [Fact]
    public void An_invalid_backend_keeps_its_share_away_from_the_valid_one()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: split, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /split}}]
                backendRefs: [{name: reviews, port: 9080, weight: 90}, {name: gone, port: 9080, weight: 10}]
            """, GatewayProxy());

        var route = Assert.Single(SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes, r => r.VirtualService == "HTTPRoute/split.default");

        Assert.Equal([("outbound|9080||reviews.default.svc.cluster.local", 90u), ("outbound|0||invalid-backend.gateway-api.internal", 10u)],
            route.Route_.Clusters.Select(c => (c.Cluster, c.Weight)));
    }

    [Fact]
    public void A_ReferenceGrant_opens_a_backend_in_another_namespace()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: cross, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /team}}]
                backendRefs: [{name: reviews, namespace: team, port: 9080}]
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: from-default, namespace: team}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
              to: [{group: "", kind: Service}]
            """, GatewayProxy(), TeamReviews());

        var conditions = RouteConditions(Status(inputs), "HTTPRoute/default/cross");
        var route = Assert.Single(SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes, r => r.VirtualService == "HTTPRoute/cross.default");

        Assert.Equal("True", Summary(Condition(conditions, "ResolvedRefs")).Status);
        Assert.Equal("outbound|9080||reviews.team.svc.cluster.local", route.Route_.Clusters.Single().Cluster);
    }

    [Fact]
    public void Conflicting_listeners_on_one_port_leave_the_first_serving()
    {
        var inputs = Inputs("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: bookinfo-gateway, namespace: default}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: web, port: 80, protocol: HTTP, hostname: bookinfo.example.com}
              - {name: tls, port: 80, protocol: HTTPS, hostname: bookinfo.example.com, tls: {certificateRefs: [{name: cert}]}}
              - {name: raw, port: 80, protocol: TCP}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules: [{backendRefs: [{name: productpage, port: 9080}]}]
            """, GatewayProxy());

        var gateway = Status(inputs)["Gateway.gateway.networking.k8s.io/default/bookinfo-gateway"];
        var listeners = gateway["listeners"]!.AsArray();

        Assert.Equal(("False", "NoConflicts"), Pair(Summary(Condition(listeners[0]!["conditions"], "Conflicted"))));
        Assert.Equal(("True", "ProtocolConflict"), Pair(Summary(Condition(listeners[1]!["conditions"], "Conflicted"))));
        Assert.Equal(("False", "ProtocolConflict"), Pair(Summary(Condition(listeners[1]!["conditions"], "Accepted"))));
        Assert.Equal(("False", "ProtocolConflict"), Pair(Summary(Condition(listeners[2]!["conditions"], "Accepted"))));
        Assert.Equal(("True", "ListenersNotValid"), Pair(Summary(Condition(gateway["conditions"], "Accepted"))));
        var server = Assert.Single(SnapshotBuilder.Build(inputs, GatewayProxy()).GatewayServers);
        Assert.Equal("bookinfo-gateway.default/web", server.Name);
    }

    [Fact]
    public void An_invalid_regex_drops_its_rule_and_the_other_rules_keep_serving()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: regex, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
              - matches: [{path: {type: RegularExpression, value: "/reviews/([0-9]+"}}]
                backendRefs: [{name: reviews, port: 9080}]
              - matches: [{path: {type: PathPrefix, value: /ratings}}]
                backendRefs: [{name: ratings, port: 9080}]
            """, GatewayProxy());

        var conditions = RouteConditions(Status(inputs), "HTTPRoute/default/regex");

        Assert.Equal("True", Summary(Condition(conditions, "Accepted")).Status);
        var partial = Summary(Condition(conditions, "PartiallyInvalid"));
        Assert.Equal(("True", "UnsupportedValue"), (partial.Status, partial.Reason));
        Assert.StartsWith("Dropped Rule 0: path: invalid regex", partial.Message, StringComparison.Ordinal);
        var routes = SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes;
        Assert.Equal(["regex:/productpage(/.*)?", "regex:/ratings(/.*)?"], routes.Select(r => Describe(r.Matches.Single().Uri)));
    }

    [Fact]
    public void A_route_whose_every_rule_is_dropped_is_not_accepted()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: regex, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
              - matches: [{headers: [{name: x-user, type: RegularExpression, value: "(?<=a)b"}]}]
                backendRefs: [{name: reviews, port: 9080}]
            """, GatewayProxy());

        var accepted = Summary(Condition(RouteConditions(Status(inputs), "HTTPRoute/default/regex"), "Accepted"));

        Assert.Equal(("False", "UnsupportedValue"), (accepted.Status, accepted.Reason));
        Assert.StartsWith("Dropped Rule 0: header x-user: invalid regex", accepted.Message, StringComparison.Ordinal);
        StillWorking(inputs);
    }

    [Fact]
    public void An_ExtensionRef_filter_is_refused_by_name_and_its_rule_answers_500()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: extension, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /ext}}]
                filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Plugin, name: auth}}]
                backendRefs: [{name: reviews, port: 9080}]
            """, GatewayProxy());

        var resolved = Summary(Condition(RouteConditions(Status(inputs), "HTTPRoute/default/extension"), "ResolvedRefs"));
        var route = Assert.Single(SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes, r => r.VirtualService == "HTTPRoute/extension.default");

        Assert.Equal(("False", "InvalidKind"), (resolved.Status, resolved.Reason));
        Assert.Contains("ExtensionRef filter example.com/Plugin \"auth\" is not supported", resolved.Message, StringComparison.Ordinal);
        Assert.Equal(500u, route.DirectResponse.Status);
    }

    [Fact]
    public void A_parent_listener_or_port_that_does_not_exist_is_no_matching_parent()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: lost, namespace: default}
            spec:
              parentRefs: [{name: bookinfo-gateway, sectionName: https}]
              rules: [{backendRefs: [{name: reviews, port: 9080}]}]
            """, GatewayProxy());

        var accepted = Summary(Condition(RouteConditions(Status(inputs), "HTTPRoute/default/lost"), "Accepted"));

        Assert.Equal(("False", "NoMatchingParent", "sectionName \"https\" not found"), accepted);
    }

    [Fact]
    public void A_listener_with_an_unsupported_protocol_is_not_accepted()
    {
        var inputs = Inputs("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: bookinfo-gateway, namespace: default}
            spec:
              gatewayClassName: istio
              listeners:
              - {name: dns, port: 53, protocol: UDP}
              - {name: http, port: 80, protocol: HTTP}
            """, GatewayProxy());

        var listeners = Status(inputs)["Gateway.gateway.networking.k8s.io/default/bookinfo-gateway"]["listeners"]!.AsArray();

        Assert.Equal(("False", "UnsupportedProtocol", "protocol \"UDP\" is unsupported"), Summary(Condition(listeners[0]!["conditions"], "Accepted")));
        Assert.Equal("True", Summary(Condition(listeners[1]!["conditions"], "Accepted")).Status);
    }

    private static (string, string) Pair((string Status, string Reason, string Message) summary) => (summary.Status, summary.Reason);

    // The route that worked before the bad object still routes.
    private static void StillWorking(SnapshotInputs inputs)
    {
        var routes = SnapshotBuilder.Build(inputs, GatewayProxy()).VirtualHosts.Single().Routes;
        var working = Assert.Single(routes, r => r.VirtualService == "HTTPRoute/working.default");
        Assert.Equal("outbound|9080||productpage.default.svc.cluster.local", working.Route_.Clusters.Single().Cluster);
        Assert.Equal(("True", "ResolvedRefs"), Pair(Summary(Condition(RouteConditions(Status(inputs), "HTTPRoute/default/working"), "ResolvedRefs"))));
    }

    private static Node TeamReviews() => new()
    {
        Id = "reviews-team-0",
        Workload = "reviews",
        Namespace = "team",
        Mode = ProxyMode.Sidecar,
        Address = "10.0.1.1",
        Labels = { ["app"] = "reviews", ["version"] = "v1" },
        Services = { new ServiceMembership { Name = "reviews", Ports = { new ServicePort { Name = "http", Port = 9080, Protocol = Protocol.Http, InboundPort = 15100 } } } },
    };
}
