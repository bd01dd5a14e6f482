using Mesh.EndToEnd.Tests.Infrastructure;
using Mesh.EndToEnd.Tests.Traffic;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Routing;

/// <summary>
/// A Gateway API GRPCRoute on the ratings Service (GAMMA: parentRef the Service's gRPC port) routes
/// the real gRPC calls reviews makes to ratings through its sidecar: by method and by the
/// <c>end-user</c> metadata reviews forwards; a call no rule matches is not routed (the route
/// replaces the Service's default route), which reviews shows as ratings unavailable.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class GrpcRouteTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private const string RatingsUnavailable = "Ratings service is currently unavailable";
    private static readonly TimeSpan SyncTimeout = Poll.DefaultBudget;

    // Only jason's GetRatings calls have a rule; anyone else's call to ratings matches nothing.
    private const string JasonOnly = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: ratings}
        spec:
          parentRefs: [{group: "", kind: Service, name: ratings, port: 9090}]
          rules:
          - matches:
            - method: {service: bookinfo.ratings.v1.Ratings, method: GetRatings}
              headers: [{name: end-user, value: jason}]
            backendRefs: [{name: ratings, port: 9090}]
        """;

    // A rule for a method reviews never calls: GetRatings matches nothing.
    private const string OtherMethodOnly = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: ratings}
        spec:
          parentRefs: [{group: "", kind: Service, name: ratings, port: 9090}]
          rules:
          - matches: [{method: {service: bookinfo.ratings.v1.Ratings, method: ListRatings}}]
            backendRefs: [{name: ratings, port: 9090}]
        """;

    [Fact]
    public async Task A_GRPCRoute_on_ratings_routes_reviews_gRPC_calls_by_method_and_metadata()
    {
        // Every page from reviews-v3, which calls ratings over gRPC (red stars when it answers).
        await using var allV3 = await mesh.ApplySampleAsync("virtual-service-reviews-v3.yaml");
        await using var route = await mesh.ApplyAsync(JasonOnly);
        await WaitForSyncedAsync(route.Change!.Generation);
        using var jason = await TrafficTasks.SignedInAsync(mesh.ProductPage, "jason");

        var jasonPage = await BookinfoPage.FetchAsync(jason);
        var anonymousPage = await BookinfoPage.FetchAsync(mesh.ProductPage);
        output.WriteLine($"jason: {BookinfoPage.ReviewsServedBy(jasonPage)}, stars {BookinfoPage.StarsColor(jasonPage)}; signed out: {BookinfoPage.ReviewsServedBy(anonymousPage)}, stars {BookinfoPage.StarsColor(anonymousPage)}");

        Assert.Equal("reviews-v3", BookinfoPage.ReviewsServedBy(jasonPage));
        Assert.Equal("red", BookinfoPage.StarsColor(jasonPage));
        Assert.Equal("reviews-v3", BookinfoPage.ReviewsServedBy(anonymousPage));
        Assert.Contains(RatingsUnavailable, anonymousPage, StringComparison.Ordinal);

        // The same route object changed to another method: now jason's GetRatings matches nothing either.
        var changed = await mesh.Admin.ApplyAsync(OtherMethodOnly);
        await WaitForSyncedAsync(changed.Generation);
        Assert.Contains(RatingsUnavailable, await BookinfoPage.FetchAsync(jason), StringComparison.Ordinal);
    }

    private Task WaitForSyncedAsync(long generation) =>
        mesh.Admin.WaitForProxySyncedAsync("reviews-v3", generation, SyncTimeout);
}
