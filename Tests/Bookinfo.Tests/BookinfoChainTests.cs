using Bookinfo.Tests.Infrastructure;

namespace Bookinfo.Tests;

/// <summary>The real apps wired to each other over loopback, as Aspire wires them (minus the mesh).</summary>
public sealed class BookinfoChainTests
{
    [Fact]
    public async Task Productpage_shows_red_stars_from_reviews_v3_backed_by_ratings_over_grpc()
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        await using var details = await BookinfoApps.StartDetailsAsync();
        await using var reviews = await BookinfoApps.StartReviewsAsync("v3", ratings.GrpcUrl);
        await using var page = await BookinfoApps.StartProductPageAsync(details.Url, reviews.Url, ratings.HttpUrl);

        var html = await page.Client.GetStringAsync("/productpage");

        Assert.Contains("<td>PublisherA</td>", html, StringComparison.Ordinal);
        Assert.Contains("data-stars=\"5\"", html, StringComparison.Ordinal);
        Assert.Contains("stars stars-red", html, StringComparison.Ordinal);
        Assert.Contains("<u class=\"podname\">reviews-v3</u>", html, StringComparison.Ordinal);
        Assert.Contains("\"Reviewer1\":5", await page.Client.GetStringAsync("/api/v1/products/0/ratings"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signed_in_user_reaches_ratings_through_reviews_as_end_user()
    {
        await using var ratings = await FakeRatingsGrpc.WithRatingsAsync(1, 2);
        await using var reviews = await BookinfoApps.StartReviewsAsync("v2", ratings.Url);
        await using var page = await BookinfoApps.StartProductPageAsync(ReviewsTests.ClosedLoopbackPort(), reviews.Url);
        var login = await page.Client.PostAsync("/login", new FormUrlEncodedContent([new("username", "jason"), new("passwd", "")]));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/productpage");
        request.Headers.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        request.Headers.Add("x-request-id", "chain-1");

        var html = await (await page.Client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("data-stars=\"1\"", html, StringComparison.Ordinal);
        var call = Assert.Single(ratings.Service.Calls);
        Assert.Equal("jason", call.GetValue("end-user"));
        Assert.Equal("chain-1", call.GetValue("x-request-id"));
    }
}
