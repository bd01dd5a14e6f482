using System.Net;
using System.Text.Json;
using Bookinfo.Tests.Infrastructure;

namespace Bookinfo.Tests;

public sealed class ProductPageApiTests
{
    [Fact]
    public async Task Products_lists_the_one_book()
    {
        await using var page = await BookinfoApps.StartProductPageAsync(null, null);

        using var json = JsonDocument.Parse(await page.Client.GetStringAsync("/api/v1/products"));

        var product = Assert.Single(json.RootElement.EnumerateArray().ToArray());
        Assert.Equal(0, product.GetProperty("id").GetInt32());
        Assert.Equal("The Comedy of Errors", product.GetProperty("title").GetString());
        Assert.Contains("William Shakespeare", product.GetProperty("descriptionHtml").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Product_details_reviews_and_ratings_are_served_from_the_upstreams()
    {
        await using var details = await FakeUpstream.JsonAsync(ReviewsJson.Details);
        var reviewsBody = ReviewsJson.WithStars("reviews-v3", "red", 5, 4);
        await using var reviews = await FakeUpstream.JsonAsync(reviewsBody);
        await using var ratings = await FakeUpstream.JsonAsync("""{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}""");
        await using var page = await BookinfoApps.StartProductPageAsync(details.Url, reviews.Url, ratings.Url);

        Assert.Equal(ReviewsJson.Details, await page.Client.GetStringAsync("/api/v1/products/0"));
        Assert.Equal(reviewsBody, await page.Client.GetStringAsync("/api/v1/products/0/reviews"));
        Assert.Equal("""{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}""", await page.Client.GetStringAsync("/api/v1/products/0/ratings"));
        Assert.Equal("/details/0", Assert.Single(details.Requests).PathAndQuery);
        Assert.Equal("/reviews/0", Assert.Single(reviews.Requests).PathAndQuery);
        Assert.Equal("/ratings/0", Assert.Single(ratings.Requests).PathAndQuery);
    }

    [Theory]
    [InlineData("/api/v1/products/0", "product details")]
    [InlineData("/api/v1/products/0/reviews", "product reviews")]
    [InlineData("/api/v1/products/0/ratings", "product ratings")]
    public async Task Failing_upstreams_give_a_503_json_error(string path, string what)
    {
        await using var failing = await FakeUpstream.FailingAsync(500);
        await using var page = await BookinfoApps.StartProductPageAsync(failing.Url, failing.Url, failing.Url);

        var response = await page.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal($"Sorry, {what} are currently unavailable for this book.", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_upstream_answering_something_other_than_its_json_counts_as_a_failure()
    {
        await using var broken = await FakeUpstream.JsonAsync("<html>not json</html>");
        await using var page = await BookinfoApps.StartProductPageAsync(broken.Url, broken.Url);

        var response = await page.Client.GetAsync("/api/v1/products/0");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Non_numeric_product_id_is_a_400()
    {
        await using var page = await BookinfoApps.StartProductPageAsync(null, null);

        var response = await page.Client.GetAsync("/api/v1/products/abc/reviews");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":"please provide numeric product id"}""", await response.Content.ReadAsStringAsync());
    }
}
