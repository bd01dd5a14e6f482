using System.Net;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Routing;

/// <summary>
/// Istio's "request routing" task on the running AppHost, through the ingress gateway, with the
/// task's own YAML files applied through the control plane's admin API.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class RequestRoutingTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan SyncTimeout = Poll.DefaultBudget;

    [Fact]
    public async Task Virtual_service_all_v1_sends_every_reviews_request_to_v1()
    {
        await using var allV1 = await mesh.ApplySampleAsync("virtual-service-all-v1.yaml");
        await mesh.Admin.WaitForProxySyncedAsync("productpage", allV1.Change!.Generation, SyncTimeout);

        var counts = await BookinfoPage.CountReviewsServedByAsync(mesh.Gateway, 20);
        output.WriteLine($"through the gateway: {BookinfoPage.Describe(counts)}");

        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 20 }, counts);
        Assert.Null(BookinfoPage.StarsColor(await BookinfoPage.FetchAsync(mesh.Gateway)));
    }

    [Fact]
    public async Task Jason_is_routed_to_reviews_v2_and_everyone_else_to_v1()
    {
        await using var allV1 = await mesh.ApplySampleAsync("virtual-service-all-v1.yaml");
        await using var testV2 = await mesh.ApplySampleAsync("virtual-service-reviews-test-v2.yaml");
        await mesh.Admin.WaitForProxySyncedAsync("productpage", testV2.Change!.Generation, SyncTimeout);

        using var jason = await SignedInAsync("jason");
        using var alice = await SignedInAsync("alice");
        var jasonCounts = await BookinfoPage.CountReviewsServedByAsync(jason, 10);
        var aliceCounts = await BookinfoPage.CountReviewsServedByAsync(alice, 10);
        var anonymousCounts = await BookinfoPage.CountReviewsServedByAsync(mesh.Gateway, 10);
        output.WriteLine($"jason: {BookinfoPage.Describe(jasonCounts)}; alice: {BookinfoPage.Describe(aliceCounts)}; signed out: {BookinfoPage.Describe(anonymousCounts)}");

        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, jasonCounts);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 10 }, aliceCounts);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 10 }, anonymousCounts);

        var jasonPage = await BookinfoPage.FetchAsync(jason);
        Assert.Contains("signed in as <b>jason</b>", jasonPage, StringComparison.Ordinal);
        Assert.Equal("black", BookinfoPage.StarsColor(jasonPage));
    }

    /// <summary>A gateway client with its own cookies, signed in through Bookinfo's login form.</summary>
    private async Task<HttpClient> SignedInAsync(string user)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = mesh.Gateway.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var login = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user,
            ["passwd"] = "password",
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/productpage", login.Headers.Location?.OriginalString);
        return client;
    }
}
