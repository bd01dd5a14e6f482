using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using static Mesh.ControlPlane.Tests.Snapshots.GatewayApi.GatewayApiMesh;

namespace Mesh.ControlPlane.Tests.Snapshots.GatewayApi;

/// <summary>
/// A Gateway API Gateway's proxy gets a server per listener and the attached routes per hostname,
/// in the spec's precedence; the Gateway, its listeners and the routes get the spec's status.
/// </summary>
public sealed class GatewayApiIngressSnapshotTests
{
    [Fact]
    public void Istios_bookinfo_gateway_routes_the_product_page_paths_in_precedence_order()
    {
        var inputs = Inputs(Sample("bookinfo-gateway.yaml"), GatewayProxy());

        var snapshot = SnapshotBuilder.Build(inputs, GatewayProxy());

        var server = Assert.Single(snapshot.GatewayServers);
        Assert.Equal(("bookinfo-gateway.default/http", 80u, Protocol.Http, "http"), (server.Name, server.Port, server.Protocol, server.PortName));
        Assert.Equal(["*"], server.Hosts);
        var virtualHost = Assert.Single(snapshot.VirtualHosts);
        Assert.Equal(["*"], virtualHost.Domains);
        Assert.Equal(("bookinfo-gateway.default/http", 80u), (virtualHost.GatewayServer, virtualHost.Port));
        // Exact paths first (longest first), then path prefixes (longest first), each on whole segments.
        Assert.Equal(
            ["exact:/productpage", "exact:/logout", "exact:/login", "regex:/api/v1/products(/.*)?", "regex:/static(/.*)?"],
            virtualHost.Routes.Select(r => Describe(Assert.Single(r.Matches).Uri)));
        Assert.All(virtualHost.Routes, r =>
        {
            Assert.Equal("outbound|9080||productpage.default.svc.cluster.local", Assert.Single(r.Route_.Clusters).Cluster);
            Assert.Equal(("default.bookinfo.0", "HTTPRoute/bookinfo.default"), (r.Name, r.VirtualService));
        });
        Assert.Equal("10.0.0.1", snapshot.Cluster("outbound|9080||productpage.default.svc.cluster.local").Endpoints.Single().Address);
    }

    [Fact]
    public void Istios_ingress_gateway_and_sidecars_get_nothing_from_a_Gateway_API_gateway()
    {
        var inputs = Inputs(Sample("bookinfo-gateway.yaml"), GatewayProxy());

        Assert.Empty(SnapshotBuilder.Build(inputs, BookinfoMesh.IngressGateway).GatewayServers);
        Assert.Empty(SnapshotBuilder.Build(inputs, GatewayProxy("other-gateway")).GatewayServers);
        Assert.Empty(SnapshotBuilder.Build(inputs, GatewayProxy(ns: "istio-system")).GatewayServers);
        Assert.All(SnapshotBuilder.Build(inputs, BookinfoMesh.ProductPage).VirtualHosts, v => Assert.Equal("default", v.Routes.Single().Name));
    }

    [Fact]
    public void The_bookinfo_objects_report_accepted_programmed_and_resolved()
    {
        var status = Status(Inputs(Sample("bookinfo-gateway.yaml"), GatewayProxy()));

        var gateway = status["Gateway.gateway.networking.k8s.io/default/bookinfo-gateway"];
        Assert.Equal(("True", "Accepted", "Resource accepted"), Summary(Condition(gateway["conditions"], "Accepted")));
        Assert.Equal("True", Summary(Condition(gateway["conditions"], "Programmed")).Status);
        var listener = Assert.Single(gateway["listeners"]!.AsArray())!;
        Assert.Equal(1, listener["attachedRoutes"]!.GetValue<int>());
        Assert.Equal(["HTTPRoute", "GRPCRoute"], listener["supportedKinds"]!.AsArray().Select(k => k!["kind"]!.GetValue<string>()));
        Assert.Equal("False", Summary(Condition(listener["conditions"], "Conflicted")).Status);
        var route = RouteConditions(status, "HTTPRoute/default/bookinfo");
        Assert.Equal(("True", "Accepted", "Route was valid"), Summary(Condition(route, "Accepted")));
        Assert.Equal(("True", "ResolvedRefs", "All references resolved"), Summary(Condition(route, "ResolvedRefs")));
    }

    [Fact]
    public void Without_a_connected_proxy_the_gateway_is_accepted_but_pending()
    {
        var status = Status(Inputs(Sample("bookinfo-gateway.yaml")));

        var conditions = status["Gateway.gateway.networking.k8s.io/default/bookinfo-gateway"]["conditions"];
        Assert.Equal("True", Summary(Condition(conditions, "Accepted")).Status);
        var programmed = Summary(Condition(conditions, "Programmed"));
        Assert.Equal(("False", "Pending"), (programmed.Status, programmed.Reason));
        Assert.Contains("bookinfo-gateway-istio", programmed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_of_another_class_is_not_the_meshs()
    {
        var inputs = Inputs(Sample("bookinfo-gateway.yaml").Replace("gatewayClassName: istio", "gatewayClassName: nginx", StringComparison.Ordinal), GatewayProxy());

        Assert.Empty(SnapshotBuilder.Build(inputs, GatewayProxy()).GatewayServers);
        Assert.Empty(Status(inputs));
    }
}
