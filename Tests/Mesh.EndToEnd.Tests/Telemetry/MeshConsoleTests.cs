using Mesh.EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Telemetry;

/// <summary>
/// The mesh console of the running AppHost in a real headless Chromium (Playwright driving the
/// system's browser; nothing is downloaded): while Bookinfo traffic flows, the page draws the
/// Bookinfo graph with live rates from the sidecars' statistics, every proxy SYNCED, and the
/// applied config valid. A screenshot is saved as a test artifact.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class MeshConsoleTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    // Every call of the product page, as edges of the graph: productpage -> details, productpage ->
    // reviews (three versions), reviews v2/v3 -> ratings. All must carry traffic in the rate window.
    private const string GraphIsLive = """
        () => {
          const edges = [...document.querySelectorAll('#graph g.edge')].map(g => ({
            source: g.getAttribute('data-source') || '', destination: g.getAttribute('data-destination') || '',
            rps: parseFloat(g.getAttribute('data-rps') || '0') }));
          const live = (s, d) => edges.some(e => e.source.startsWith(s) && e.destination.startsWith(d) && e.rps > 0);
          return live('productpage.', 'details.') && live('productpage.', 'reviews-') && live('reviews-', 'ratings.');
        }
        """;

    [Fact]
    public async Task Console_renders_the_live_Bookinfo_graph_with_rates_in_headless_Chromium()
    {
        using var traffic = new CancellationTokenSource();
        var load = SendTrafficAsync(traffic.Token);

        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await HeadlessChromium.LaunchAsync(playwright);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1100 } });
            var console = new Uri($"http://localhost:{mesh.AdminUrl.Port}/"); // loopback: read-only console, no token
            var response = await page.GotoAsync(console.ToString());
            Assert.Equal(200, response!.Status);

            await page.WaitForFunctionAsync(GraphIsLive, null, new PageWaitForFunctionOptions { Timeout = 90_000, PollingInterval = 500 });
            await page.WaitForFunctionAsync(
                "() => { const rows = [...document.querySelectorAll('#proxies tbody tr')]; return rows.length > 0 && rows.every(r => r.dataset.status === 'SYNCED'); }",
                null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 500 });

            var proxies = await page.Locator("#proxies tbody tr").CountAsync();
            Assert.Equal(mesh.ProxyIds.Count, proxies);
            var rows = await page.Locator("#edges tbody tr").AllInnerTextsAsync();
            foreach (var row in rows)
            {
                output.WriteLine(row.Replace('\t', ' '));
            }

            // The product page's own hop to reviews carries rates, success and latency in the table too.
            Assert.Contains(rows, r => r.StartsWith("productpage.", StringComparison.Ordinal) && r.Contains("reviews-", StringComparison.Ordinal) && r.Contains(" ms", StringComparison.Ordinal));
            var nodeLabels = await page.Locator("#graph g.node text.name").AllTextContentsAsync();
            Assert.Contains("reviews v2", nodeLabels);
            Assert.Contains("ratings v1", nodeLabels);
            var validation = await page.Locator("#config tbody .badge").AllTextContentsAsync();
            Assert.NotEmpty(validation);
            Assert.All(validation, v => Assert.Equal("valid", v));

            var screenshot = await HeadlessChromium.ScreenshotAsync(page, "mesh-console.png");
            output.WriteLine($"screenshot: {screenshot}");
            Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot holds the rendered page");
        }
        finally
        {
            await traffic.CancelAsync();
            await load;
        }
    }

    /// <summary>Requests the product page directly and through the gateway until cancelled (the console rates the last seconds).</summary>
    private async Task SendTrafficAsync(CancellationToken cancellationToken)
    {
        var clients = new[] { mesh.ProductPage, mesh.Gateway };
        for (var i = 0; !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await clients[i % 2].GetAsync("/productpage", cancellationToken);
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // A failed request is traffic too; the console shows it in the success rate.
            }
        }
    }
}
