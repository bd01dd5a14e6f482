using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using static Mesh.ControlPlane.Tests.Snapshots.GatewayApi.GatewayApiMesh;

namespace Mesh.ControlPlane.Tests.Snapshots.GatewayApi;

/// <summary>
/// GAMMA: an HTTPRoute whose parent is the reviews Service routes every sidecar's calls to
/// reviews (Istio's traffic-shifting task, Gateway API tab), in place of a VirtualService for the
/// same host; other services keep their routing.
/// </summary>
public sealed class GatewayApiMeshRoutingSnapshotTests
{
    private const string ReviewsHost = "reviews.default.svc.cluster.local:9080";

    [Fact]
    public void Istios_90_10_route_on_the_reviews_Service_splits_the_sidecars_calls_between_the_version_Services()
    {
        var inputs = Inputs(Versions() + "\n---\n" + Sample("route-reviews-90-10.yaml"));

        var snapshot = SnapshotBuilder.Build(inputs, BookinfoMesh.ProductPage);

        var route = Assert.Single(snapshot.Host(ReviewsHost).Routes);
        Assert.Equal("HTTPRoute/reviews.default", route.VirtualService);
        Assert.Equal(
            [("outbound|9080||reviews-v1.default.svc.cluster.local", 90u), ("outbound|9080||reviews-v2.default.svc.cluster.local", 10u)],
            route.Route_.Clusters.Select(c => (c.Cluster, c.Weight)));
        // The version Services' clusters reach exactly their version.
        Assert.Equal(["10.0.0.3"], snapshot.Cluster("outbound|9080||reviews-v1.default.svc.cluster.local").Endpoints.Select(e => e.Address));
        Assert.Equal(["10.0.0.4"], snapshot.Cluster("outbound|9080||reviews-v2.default.svc.cluster.local").Endpoints.Select(e => e.Address));
        // Other services keep their default route.
        Assert.Equal("default", snapshot.Host("details.default.svc.cluster.local:9080").Routes.Single().Name);
    }

    [Fact]
    public void A_route_on_the_Service_takes_the_place_of_a_VirtualService_for_its_host()
    {
        var virtualService = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - route: [{destination: {host: reviews, subset: v3}}]
            ---

            """;
        var withoutRoute = Inputs(Versions() + "\n---\n" + virtualService);
        Assert.Equal("reviews.default", SnapshotBuilder.Build(withoutRoute, BookinfoMesh.ProductPage).Host(ReviewsHost).Routes.Single().VirtualService);

        var both = Inputs(Versions() + "\n---\n" + virtualService + Sample("route-reviews-v1.yaml"));
        var route = Assert.Single(SnapshotBuilder.Build(both, BookinfoMesh.ProductPage).Host(ReviewsHost).Routes);
        Assert.Equal("HTTPRoute/reviews.default", route.VirtualService);
        Assert.Equal("outbound|9080||reviews-v1.default.svc.cluster.local", Assert.Single(route.Route_.Clusters).Cluster);
    }

    [Fact]
    public void A_GRPCRoute_on_the_ratings_Service_routes_its_gRPC_methods()
    {
        // ratings serves gRPC on 9090 beside HTTP on 9080, as the AppHost's ratings does.
        var ratings = new Node
        {
            Id = "ratings-grpc-v1", Workload = "ratings-v1", Namespace = "default", ServiceAccount = "bookinfo-ratings",
            Mode = ProxyMode.Sidecar, Address = "10.0.0.7", Labels = { ["app"] = "ratings", ["version"] = "v1" },
            Services =
            {
                new ServiceMembership
                {
                    Name = "ratings",
                    Ports = { new ServicePort { Name = "grpc", Port = 9090, Protocol = Protocol.Grpc, InboundPort = 15007, TargetPort = 9090 } },
                },
            },
        };
        var route = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: ratings}
            spec:
              parentRefs: [{group: "", kind: Service, name: ratings, port: 9090}]
              rules:
              - matches: [{method: {service: bookinfo.ratings.v1.Ratings, method: GetRatings}}]
                backendRefs: [{name: ratings, port: 9090}]
            """;

        var snapshot = SnapshotBuilder.Build(Inputs(route, ratings), BookinfoMesh.ProductPage);

        var grpc = Assert.Single(snapshot.Host("ratings.default.svc.cluster.local:9090").Routes);
        Assert.Equal("GRPCRoute/ratings.default", grpc.VirtualService);
        Assert.Equal("exact:/bookinfo.ratings.v1.Ratings/GetRatings", Describe(Assert.Single(grpc.Matches).Uri));
        Assert.Equal("outbound|9090||ratings.default.svc.cluster.local", Assert.Single(grpc.Route_.Clusters).Cluster);
        Assert.Equal(["10.0.0.7"], snapshot.Cluster("outbound|9090||ratings.default.svc.cluster.local").Endpoints.Select(e => e.Address));
        // Its HTTP port keeps the default route.
        Assert.Equal("default", snapshot.Host("ratings.default.svc.cluster.local:9080").Routes.Single().Name);
    }

    [Fact]
    public void The_route_reports_accepted_on_its_Service_parent()
    {
        var status = Status(Inputs(Versions() + "\n---\n" + Sample("route-reviews-90-10.yaml")));

        var conditions = RouteConditions(status, "HTTPRoute/default/reviews");
        Assert.Equal("True", Summary(Condition(conditions, "Accepted")).Status);
        Assert.Equal(("True", "ResolvedRefs"), (Summary(Condition(conditions, "ResolvedRefs")).Status, Summary(Condition(conditions, "ResolvedRefs")).Reason));
        var parent = status["HTTPRoute/default/reviews"]["parents"]!.AsArray().Single()!;
        Assert.Equal(("Service", "reviews"), (parent["parentRef"]!["kind"]!.GetValue<string>(), parent["parentRef"]!["name"]!.GetValue<string>()));
    }
}
