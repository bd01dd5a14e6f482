using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bookinfo.Ratings.V1;
using Bookinfo.Reviews;
using Bookinfo.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Bookinfo.Tests;

public sealed class ReviewsTests
{
    [Fact]
    public async Task V1_shows_no_ratings_and_never_calls_ratings()
    {
        await using var ratings = await FakeRatingsGrpc.WithRatingsAsync(5, 4);
        await using var reviews = await BookinfoApps.StartReviewsAsync("v1", ratings.Url);

        var body = await reviews.Client.GetStringAsync("/reviews/0");

        Assert.Equal(
            """{"id":"0","podname":"reviews-v1","clustername":"null","version":"v1","reviews":[{"reviewer":"Reviewer1","text":"An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!"},{"reviewer":"Reviewer2","text":"Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare."}]}""",
            body);
        Assert.Empty(ratings.Service.Calls);
    }

    [Theory]
    [InlineData("v2", "black")]
    [InlineData("v3", "red")]
    public async Task V2_and_v3_show_stars_from_the_real_ratings_service_over_grpc(string version, string color)
    {
        await using var ratings = await BookinfoApps.StartRatingsAsync();
        await using var reviews = await BookinfoApps.StartReviewsAsync(version, ratings.GrpcUrl);

        using var json = JsonDocument.Parse(await reviews.Client.GetStringAsync("/reviews/0"));

        var root = json.RootElement;
        Assert.Equal($"reviews-{version}", root.GetProperty("podname").GetString());
        Assert.Equal(version, root.GetProperty("version").GetString());
        var stars = root.GetProperty("reviews").EnumerateArray()
            .Select(r => (r.GetProperty("rating").GetProperty("stars").GetInt32(), r.GetProperty("rating").GetProperty("color").GetString()))
            .ToArray();
        Assert.Equal([(5, color), (4, color)], stars);
    }

    [Fact]
    public async Task Ratings_down_gives_the_bookinfo_rating_error()
    {
        await using var reviews = await BookinfoApps.StartReviewsAsync("v2", ClosedLoopbackPort());

        var body = await reviews.Client.GetStringAsync("/reviews/0");

        Assert.Equal(2, CountOccurrences(body, "\"rating\":{\"error\":\"Ratings service is currently unavailable\"}"));
    }

    [Fact]
    public async Task Ratings_error_status_gives_the_rating_error()
    {
        await using var ratings = await FakeRatingsGrpc.StartAsync(_ => throw new RpcException(new Status(StatusCode.Internal, "boom")));
        await using var reviews = await BookinfoApps.StartReviewsAsync("v3", ratings.Url);

        var body = await reviews.Client.GetStringAsync("/reviews/0");

        Assert.Equal(2, CountOccurrences(body, "Ratings service is currently unavailable"));
        Assert.Single(ratings.Service.Calls);
    }

    [Fact]
    public async Task Slow_ratings_time_out_into_the_rating_error()
    {
        await using var ratings = await FakeRatingsGrpc.StartAsync(async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.CancellationToken);
            return new GetRatingsResponse();
        });
        await using var reviews = await BookinfoApps.StartReviewsAsync(
            "v3", ratings.Url, options => options.RatingsTimeout = TimeSpan.FromMilliseconds(200));

        var clock = Stopwatch.StartNew();
        var body = await reviews.Client.GetStringAsync("/reviews/0");

        // The error text proves the call timed out (ratings would answer after 10 s); lower bound only.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"the 200 ms ratings timeout took {clock.Elapsed}");
        Assert.Equal(2, CountOccurrences(body, "Ratings service is currently unavailable"));
    }

    [Fact]
    public async Task Reviews_forwards_end_user_and_request_id_to_ratings_as_grpc_metadata()
    {
        await using var ratings = await FakeRatingsGrpc.WithRatingsAsync(3, 2);
        await using var reviews = await BookinfoApps.StartReviewsAsync("v2", ratings.Url);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/reviews/0");
        request.Headers.Add("end-user", "jason");
        request.Headers.Add("x-request-id", "req-42");
        request.Headers.Add("cookie", "session=secret");

        var response = await reviews.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = Assert.Single(ratings.Service.Calls);
        Assert.Equal("jason", call.GetValue("end-user"));
        Assert.Equal("req-42", call.GetValue("x-request-id"));
        Assert.Null(call.GetValue("cookie"));
        Assert.StartsWith("grpc-dotnet", call.GetValue("user-agent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Podname_and_clustername_come_from_the_environment()
    {
        await using var reviews = await BookinfoApps.StartReviewsAsync(
            "v1", null, null, ("POD_NAME", "reviews-v1-7f9c"), ("CLUSTER_NAME", "east"));

        using var json = JsonDocument.Parse(await reviews.Client.GetStringAsync("/reviews/0"));

        Assert.Equal("reviews-v1-7f9c", json.RootElement.GetProperty("podname").GetString());
        Assert.Equal("east", json.RootElement.GetProperty("clustername").GetString());
    }

    [Fact]
    public async Task Non_numeric_id_is_a_json_400()
    {
        await using var reviews = await BookinfoApps.StartReviewsAsync("v1", null);

        var response = await reviews.Client.GetAsync("/reviews/zero");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":"please provide numeric product id"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_version_fails_at_startup_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => BookinfoApps.StartReviewsAsync("v4", null));

        Assert.Contains("REVIEWS_VERSION", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v2", 10_000)]
    [InlineData("v3", 2_500)]
    public void Ratings_timeout_follows_bookinfo_per_star_color(string version, int expectedMilliseconds)
    {
        var options = new ReviewsOptions { Version = version };

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), options.EffectiveRatingsTimeout);
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>A loopback port nothing listens on: bound, noted, released.</summary>
    internal static Uri ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
