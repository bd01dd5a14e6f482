using Mesh.EndToEnd.Tests.Infrastructure;
using Mesh.EndToEnd.Tests.Traffic;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Telemetry;

/// <summary>
/// The mesh console's "Explain a request" form in headless Chromium, on the running AppHost: it
/// shows what <c>meshctl explain</c> shows (the same admin explain, answered by the proxies), for a
/// routed request, an unrouted one and an unknown source — and the routed answer is where a real
/// request goes.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class ConsoleExplainTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_console_explains_jasons_request_to_reviews_v2_and_others_to_v1()
    {
        await using var allV1 = await mesh.ApplySampleAsync("virtual-service-all-v1.yaml");
        await using var jason = await mesh.ApplySampleAsync("virtual-service-reviews-test-v2.yaml");
        await mesh.Admin.WaitForProxySyncedAsync("productpage", jason.Change!.Generation, SyncTimeout);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        Assert.Equal(200, (await page.GotoAsync($"http://localhost:{mesh.AdminUrl.Port}/"))!.Status); // loopback: no token

        var summary = await ExplainAsync(page, "productpage", "http://reviews:9080/reviews/0", "end-user: jason");
        output.WriteLine(string.Join("\n", summary.Select(s => $"{s.Key}: {s.Value}")));
        Assert.Equal("reviews.default", summary["virtualservice"]);
        Assert.StartsWith("reviews.default#0 ", summary["route"], StringComparison.Ordinal); // the end-user: jason match, not the default route (#1)
        Assert.Equal("subset v2 · cluster outbound|9080|v2|reviews.default.svc.cluster.local", summary["destination"]);
        Assert.Equal("reviews-v2: forwarded to the app", summary["outcome"]);
        var stages = await page.Locator("#explain-hops tr[data-stage]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.stage)");
        Assert.Contains("Authorization", stages);
        Assert.Contains("UpstreamTls", stages);
        await HeadlessChromium.ScreenshotAsync(page, "console-explain.png", page.Locator("#explain-section"));

        // What the page says is what the mesh does: productpage's request as jason is served by v2.
        Assert.Equal("reviews-v2", await ReviewsServedByAsync("jason"));

        var other = await ExplainAsync(page, "productpage", "reviews:9080/reviews/0", "");
        Assert.Equal("subset v1 · cluster outbound|9080|v1|reviews.default.svc.cluster.local", other["destination"]);
        Assert.Equal("reviews-v1", await ReviewsServedByAsync(null));

        await page.FillAsync("#explain-from", "nobody");
        await page.ClickAsync("#explain-submit");
        await page.WaitForFunctionAsync("() => document.body.dataset.explained === 'error'");
        Assert.Contains("no connected proxy is workload, app or proxy 'nobody'", await page.TextContentAsync("#explain-error"), StringComparison.Ordinal);
        Assert.True(await page.IsHiddenAsync("#explain-result"));
    }

    private static async Task<Dictionary<string, string>> ExplainAsync(IPage page, string from, string url, string headers)
    {
        await page.FillAsync("#explain-from", from);
        await page.FillAsync("#explain-url", url);
        await page.FillAsync("#explain-headers", headers);
        await page.EvaluateAsync("() => { document.body.dataset.explained = ''; }");
        await page.ClickAsync("#explain-submit");
        await page.WaitForFunctionAsync("() => document.body.dataset.explained !== ''", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal("", await page.TextContentAsync("#explain-error"));
        var fields = await page.Locator("#explain-summary dd").EvaluateAllAsync<string[][]>("dds => dds.map(d => [d.dataset.field, d.textContent])");
        return fields.ToDictionary(f => f[0], f => f[1]);
    }

    /// <summary>Which reviews version serves productpage's page (its sidecar's routing), signed in as the user or not.</summary>
    private async Task<string> ReviewsServedByAsync(string? user)
    {
        if (user is null)
        {
            return await BookinfoPage.FetchReviewsServedByAsync(mesh.ProductPage);
        }

        using var signedIn = await TrafficTasks.SignedInAsync(mesh.ProductPage, user);
        return await BookinfoPage.FetchReviewsServedByAsync(signedIn);
    }
}
