using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using static Mesh.ControlPlane.Tests.Snapshots.GatewayApi.GatewayApiMesh;

namespace Mesh.ControlPlane.Tests.Snapshots.GatewayApi;

/// <summary>
/// TCP and TLS listeners of a Gateway API Gateway: accepted, their TCPRoutes and TLSRoutes
/// attached as the spec says (sectionName, port, kinds, SNI hostnames), converted to the
/// gateway's L4 listeners with weighted clusters, and their bad input reported with the spec's
/// reasons while the rest keeps serving.
/// </summary>
public sealed class GatewayApiL4SnapshotTests
{
    private const string Gateway = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: l4-gateway, namespace: default}
        spec:
          gatewayClassName: istio
          listeners:
          - {name: tcp, port: 31400, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
          - {name: tls, port: 15443, protocol: TLS, hostname: "*.example.com", tls: {mode: Passthrough}}
        ---

        """;

    [Fact]
    public void Tcp_and_tls_listeners_are_accepted_and_their_routes_become_weighted_chains()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: shift, namespace: default}
            spec:
              parentRefs: [{name: l4-gateway, sectionName: tcp}]
              rules:
              - backendRefs: [{name: reviews, port: 9080, weight: 80}, {name: ratings, port: 9080, weight: 20}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: secure, namespace: default}
            spec:
              parentRefs: [{name: l4-gateway, port: 15443}]
              hostnames: [details.example.com, "*.other.org"]
              rules: [{backendRefs: [{name: details, port: 9080}]}]
            """, GatewayProxy("l4-gateway"));

        var status = Status(inputs);
        var listeners = status["Gateway.gateway.networking.k8s.io/default/l4-gateway"]["listeners"]!.AsArray();
        Assert.All(listeners, l => Assert.Equal("True", Summary(Condition(l!["conditions"], "Accepted")).Status));
        Assert.Equal(("True", "Accepted"), Pair(Summary(Condition(RouteConditions(status, "TCPRoute/default/shift"), "Accepted"))));
        Assert.Equal(("True", "Accepted"), Pair(Summary(Condition(RouteConditions(status, "TLSRoute/default/secure"), "Accepted"))));

        var snapshot = SnapshotBuilder.Build(inputs, GatewayProxy("l4-gateway"));
        var tcp = Assert.Single(snapshot.L4Listeners, l => l.Port == 31400);
        Assert.Equal(Protocol.Tcp, tcp.Protocol);
        var chain = Assert.Single(tcp.FilterChains);
        Assert.Equal("TCPRoute/shift.default", chain.VirtualService);
        Assert.Equal(
            [("outbound|9080||reviews.default.svc.cluster.local", 80u), ("outbound|9080||ratings.default.svc.cluster.local", 20u)],
            chain.Clusters.Select(c => (c.Cluster, c.Weight)));

        // Passthrough: by SNI, the route's names the listener admits (not *.other.org).
        var tls = Assert.Single(snapshot.L4Listeners, l => l.Port == 15443);
        Assert.Equal(Protocol.Tls, tls.Protocol);
        Assert.Equal(["details.example.com"], Assert.Single(tls.FilterChains).SniHosts);
        var server = Assert.Single(snapshot.GatewayServers, s => s.Port == 15443);
        Assert.Equal((Protocol.Tls, GatewayTls.Types.Mode.Passthrough), (server.Protocol, server.Tls.Mode));
        Assert.Contains(snapshot.Clusters, c => c.Name == "outbound|9080||details.default.svc.cluster.local");
    }

    [Fact]
    public void A_tlsroute_on_a_tcp_listener_and_a_tcproute_on_a_passthrough_listener_are_not_attached()
    {
        var inputs = Inputs(Gateway + """
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TLSRoute
            metadata: {name: wrong-kind, namespace: default}
            spec:
              parentRefs: [{name: l4-gateway, sectionName: tcp}]
              hostnames: [details.example.com]
              rules: [{backendRefs: [{name: details, port: 9080}]}]
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: on-passthrough, namespace: default}
            spec:
              parentRefs: [{name: l4-gateway, sectionName: tls}]
              rules: [{backendRefs: [{name: details, port: 9080}]}]
            """, GatewayProxy("l4-gateway"));

        var status = Status(inputs);
        Assert.Equal(
            ("False", "NotAllowedByListeners", "kind TLSRoute is not allowed by listener tcp (it admits TCPRoute)"),
            Summary(Condition(RouteConditions(status, "TLSRoute/default/wrong-kind"), "Accepted")));
        Assert.Equal(("False", "NotAllowedByListeners"), Pair(Summary(Condition(RouteConditions(status, "TCPRoute/default/on-passthrough"), "Accepted"))));
        Assert.All(SnapshotBuilder.Build(inputs, GatewayProxy("l4-gateway")).L4Listeners, l => Assert.Empty(l.FilterChains));
    }

    [Fact]
    public void A_backend_in_another_namespace_needs_a_reference_grant_and_a_missing_one_is_reported()
    {
        const string Routes = """
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: from-other, namespace: other}
            spec:
              parentRefs: [{name: l4-gateway, namespace: default, sectionName: tcp}]
              rules: [{backendRefs: [{name: reviews, namespace: default, port: 9080}, {name: missing, namespace: other, port: 9000}]}]
            """;
        var inputs = Inputs(Gateway + Routes, GatewayProxy("l4-gateway"));

        var resolved = Summary(Condition(RouteConditions(Status(inputs), "TCPRoute/other/from-other"), "ResolvedRefs"));
        Assert.Equal(("False", "RefNotPermitted"), Pair(resolved));
        Assert.Contains("backend(missing.other.svc.cluster.local) not found", resolved.Message, StringComparison.Ordinal);

        // Neither backend is usable: every connection goes to a cluster without endpoints (closed).
        var chain = Assert.Single(Assert.Single(SnapshotBuilder.Build(inputs, GatewayProxy("l4-gateway")).L4Listeners, l => l.Port == 31400).FilterChains);
        Assert.All(chain.Clusters, c => Assert.Contains(RouteBackends.InvalidBackendHost, c.Cluster, StringComparison.Ordinal));

        var granted = Inputs(Gateway + Routes + "\n" + """
            ---
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: tcp-from-other, namespace: default}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: TCPRoute, namespace: other}]
              to: [{group: "", kind: Service}]
            """, GatewayProxy("l4-gateway"));
        Assert.Equal(("False", "BackendNotFound"), Pair(Summary(Condition(RouteConditions(Status(granted), "TCPRoute/other/from-other"), "ResolvedRefs"))));
        var grantedChain = Assert.Single(Assert.Single(SnapshotBuilder.Build(granted, GatewayProxy("l4-gateway")).L4Listeners, l => l.Port == 31400).FilterChains);
        Assert.Equal("outbound|9080||reviews.default.svc.cluster.local", grantedChain.Clusters[0].Cluster);
    }

    private static (string, string) Pair((string Status, string Reason, string Message) summary) => (summary.Status, summary.Reason);
}
