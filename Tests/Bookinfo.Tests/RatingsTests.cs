using System.Net;
using System.Text;
using Bookinfo.Ratings.V1;
using Bookinfo.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bookinfo.Tests;

public sealed class RatingsTests
{
    [Fact]
    public async Task Http_endpoint_returns_bookinfo_ratings_json()
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        using var client = new HttpClient { BaseAddress = ratings.HttpUrl };

        var response = await client.GetAsync("/ratings/3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("""{"id":3,"ratings":{"Reviewer1":5,"Reviewer2":4}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Grpc_endpoint_is_h2c_and_returns_the_same_ratings()
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        using var channel = GrpcChannel.ForAddress(ratings.GrpcUrl);
        var client = new Ratings.V1.Ratings.RatingsClient(channel);

        var response = await client.GetRatingsAsync(new GetRatingsRequest { ProductId = 3 });

        Assert.Equal(HttpProtocols.Http2, ratings.GrpcProtocols);
        Assert.Equal(3, response.Id);
        Assert.Equal(new Dictionary<string, int> { ["Reviewer1"] = 5, ["Reviewer2"] = 4 }, response.Ratings);
    }

    [Fact]
    public async Task Posted_ratings_replace_the_defaults_over_http_and_grpc()
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        using var http = new HttpClient { BaseAddress = ratings.HttpUrl };
        using var channel = GrpcChannel.ForAddress(ratings.GrpcUrl);

        var post = await http.PostAsync("/ratings/1", Json("""{"Reviewer1":2,"Reviewer2":1}"""));
        var grpc = await new Ratings.V1.Ratings.RatingsClient(channel).GetRatingsAsync(new GetRatingsRequest { ProductId = 1 });

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("""{"id":1,"ratings":{"Reviewer1":2,"Reviewer2":1}}""", await http.GetStringAsync("/ratings/1"));
        Assert.Equal(2, grpc.Ratings["Reviewer1"]);
        Assert.Equal("""{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}""", await http.GetStringAsync("/ratings/0"));
    }

    [Theory]
    [InlineData("""{"Reviewer1":7}""", "Reviewer1: stars must be between 1 and 5, got 7")]
    [InlineData("""{"Reviewer1":"five"}""", "please provide valid ratings JSON")]
    [InlineData("""[1,2]""", "please provide valid ratings JSON")]
    [InlineData("""not json""", "please provide valid ratings JSON")]
    public async Task Invalid_posted_ratings_are_rejected_and_nothing_changes(string body, string expectedError)
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        using var http = new HttpClient { BaseAddress = ratings.HttpUrl };

        var response = await http.PostAsync("/ratings/0", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expectedError, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("""{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}""", await http.GetStringAsync("/ratings/0"));
    }

    [Fact]
    public async Task Non_numeric_id_is_a_json_400()
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        using var http = new HttpClient { BaseAddress = ratings.HttpUrl };

        var response = await http.GetAsync("/ratings/x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":"please provide numeric product ID"}""", await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
