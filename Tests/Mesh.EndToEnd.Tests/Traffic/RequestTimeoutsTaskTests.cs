using System.Diagnostics;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Traffic;

/// <summary>
/// Istio's "request timeouts" task on the running AppHost, with the task's VirtualServices
/// (samples/bookinfo/networking/request-timeouts-*.yaml): a 2 s ratings delay slows the page to
/// about 2 s; a 0.5 s timeout on reviews brings it back to about 1 s (productpage tries twice)
/// with reviews unavailable.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class RequestTimeoutsTaskTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan SyncTimeout = Poll.DefaultBudget;

    [Fact]
    public async Task Half_second_reviews_timeout_answers_in_about_one_second_instead_of_two()
    {
        await using var reviewsV2 = await mesh.ApplySampleAsync("request-timeouts-reviews-v2.yaml");
        await using var ratingsDelay = await mesh.ApplySampleAsync("request-timeouts-ratings-delay.yaml");
        await mesh.Admin.WaitForProxySyncedAsync("productpage", ratingsDelay.Change!.Generation, SyncTimeout);
        await mesh.Admin.WaitForProxySyncedAsync("reviews-v2", ratingsDelay.Change!.Generation, SyncTimeout);

        var (slowPage, slowTook) = await TimedFetchAsync();
        Assert.Equal("reviews-v2", BookinfoPage.ReviewsServedBy(slowPage));
        Assert.Equal("black", BookinfoPage.StarsColor(slowPage));
        // The delay applied: at least its 2 s (an upper bound would measure the machine, not the mesh).
        Assert.True(slowTook >= TimeSpan.FromSeconds(1.9), $"the 2 s ratings delay took {slowTook}");

        await using var timeout = await mesh.ApplySampleAsync("request-timeouts-reviews-timeout.yaml");
        await mesh.Admin.WaitForProxySyncedAsync("productpage", timeout.Change!.Generation, SyncTimeout);

        var (fastPage, fastTook) = await TimedFetchAsync();
        output.WriteLine($"2 s ratings delay: {slowTook.TotalSeconds:0.00} s; with a 0.5 s reviews timeout: {fastTook.TotalSeconds:0.00} s");
        // The reviews timeout fired before the 2 s delay ended (had productpage waited, reviews would
        // have answered with stars), on each of productpage's two tries.
        Assert.Contains("Sorry, product reviews are currently unavailable for this book.", fastPage, StringComparison.Ordinal);
        Assert.True(fastTook >= TimeSpan.FromSeconds(0.9), $"two 0.5 s tries took {fastTook}");
    }

    private async Task<(string Html, TimeSpan Took)> TimedFetchAsync()
    {
        var clock = Stopwatch.StartNew();
        var html = await BookinfoPage.FetchAsync(mesh.ProductPage);
        return (html, clock.Elapsed);
    }
}
