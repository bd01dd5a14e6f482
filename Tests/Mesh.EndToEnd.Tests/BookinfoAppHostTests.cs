using System.Net;
using System.Text.Json;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The whole AppHost under Aspire's testing builder: Bookinfo comes up healthy, the product
/// page is served by all three reviews versions, and its traces reach the Aspire dashboard.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class BookinfoAppHostTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Bookinfo_serves_all_review_versions_and_its_traces_reach_the_dashboard()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TelemetryTimeout + TimeSpan.FromMinutes(1));

        // No VirtualService for reviews: the sidecar balances over all three versions.
        var servedBy = new HashSet<string>();
        for (var i = 0; i < 30 && servedBy.Count < 3; i++)
        {
            var html = await mesh.ProductPage.GetStringAsync("/productpage", timeout.Token);
            Assert.Contains("PublisherA", html, StringComparison.Ordinal);
            var pod = BookinfoPage.ReviewsServedBy(html) ?? "(reviews unavailable)";
            servedBy.Add(pod);
            if (pod is "reviews-v2" or "reviews-v3")
            {
                Assert.Contains(pod == "reviews-v2" ? "stars stars-black" : "stars stars-red", html, StringComparison.Ordinal);
            }
        }

        Assert.Equal(["reviews-v1", "reviews-v2", "reviews-v3"], servedBy.Order());

        output.WriteLine($"{clock.Elapsed}: served by {string.Join(", ", servedBy)}");
        var services = await WaitForTraceThroughAsync(mesh.DashboardUrl, ["productpage", "reviews-", "ratings"], timeout.Token);
        output.WriteLine($"{clock.Elapsed}: trace through {string.Join(", ", services)}");
        Assert.Contains("productpage", services);
        Assert.Contains("ratings", services);
        Assert.Contains(services, s => s is "reviews-v2" or "reviews-v3");
    }

    /// <summary>
    /// Polls the dashboard's telemetry API (OTLP JSON) until one trace has spans from every
    /// service named (by prefix); returns that trace's service names.
    /// </summary>
    private static async Task<IReadOnlySet<string>> WaitForTraceThroughAsync(
        Uri dashboard, string[] servicePrefixes, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = dashboard };
        var deadline = DateTime.UtcNow + TelemetryTimeout;
        var lastSeen = "nothing";
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync("/api/telemetry/traces", cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var traces = ServicesByTrace(json.RootElement);
                var match = traces.Values.FirstOrDefault(services =>
                    servicePrefixes.All(prefix => services.Any(s => s.StartsWith(prefix, StringComparison.Ordinal))));
                if (match is not null)
                {
                    return match;
                }

                lastSeen = string.Join("; ", traces.Values.Select(s => string.Join(",", s.Order())));
            }
            else
            {
                lastSeen = $"HTTP {(int)response.StatusCode}";
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"No trace through {string.Join(" -> ", servicePrefixes)} in the dashboard; saw: {lastSeen}");
    }

    private static Dictionary<string, HashSet<string>> ServicesByTrace(JsonElement root)
    {
        var traces = new Dictionary<string, HashSet<string>>();
        foreach (var resourceSpans in root.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scopeSpans.GetProperty("spans").EnumerateArray())
                {
                    var traceId = span.GetProperty("traceId").GetString()!;
                    if (!traces.TryGetValue(traceId, out var services))
                    {
                        traces[traceId] = services = [];
                    }

                    services.Add(service);
                }
            }
        }

        return traces;
    }

    private static string ServiceName(JsonElement resourceSpans) =>
        resourceSpans.TryGetProperty("resource", out var resource) && resource.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == "service.name")
                .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString())
                .FirstOrDefault() ?? "?"
            : "?";
}
