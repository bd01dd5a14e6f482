using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// The whole AppHost under Aspire's testing builder: Bookinfo comes up healthy, the product
/// page is served by all three reviews versions, and one request through the ingress gateway is
/// one trace in the Aspire dashboard through every app and every proxy hop.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class BookinfoAppHostTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan TelemetryTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Bookinfo_serves_all_review_versions_and_its_traces_reach_the_dashboard()
    {
        var clock = Stopwatch.StartNew();
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

        // One request through the ingress gateway, continuing a sampled trace of the test's own, until
        // one that reviews v2/v3 served (only they call ratings).
        var root = ActivitySpanId.CreateRandom();
        ActivityTraceId traceId = default;
        string? reviewsPod = null;
        for (var i = 0; i < 30 && reviewsPod is null; i++)
        {
            traceId = ActivityTraceId.CreateRandom();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/productpage");
            request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{root.ToHexString()}-01");
            using var response = await mesh.Gateway.SendAsync(request, timeout.Token);
            var html = await response.Content.ReadAsStringAsync(timeout.Token);
            Assert.True(response.IsSuccessStatusCode, $"gateway: {(int)response.StatusCode}");
            reviewsPod = BookinfoPage.ReviewsServedBy(html) is "reviews-v2" or "reviews-v3" ? BookinfoPage.ReviewsServedBy(html) : null;
        }

        Assert.NotNull(reviewsPod);

        // Every hop of that request, apps and proxies alike, in the one trace: the apps sample by
        // their parent, so they are only there when every proxy propagated the sampled flag.
        string[] expected =
        [
            "ingressgateway", "productpage-sidecar", "productpage", "details-sidecar", "details",
            $"{reviewsPod}-sidecar", reviewsPod, "ratings-sidecar", "ratings",
        ];
        var trace = await WaitForTraceAsync(mesh.DashboardUrl, traceId, expected, root, timeout.Token);
        output.WriteLine($"{clock.Elapsed}: trace {traceId} through {string.Join(", ", trace.Services.Order())} ({trace.Spans.Count} spans)");

        // Proxy hops are client/server span pairs, parent and child: the gateway's upstream call is
        // the parent of productpage's inbound span, reviews' outbound the parent of ratings' inbound.
        AssertHop(trace, "ingressgateway", "productpage-sidecar");
        AssertHop(trace, "productpage-sidecar", "details-sidecar");
        AssertHop(trace, "productpage-sidecar", $"{reviewsPod}-sidecar");
        AssertHop(trace, $"{reviewsPod}-sidecar", "ratings-sidecar");
    }

    private sealed record TraceSpan(string Service, string SpanId, string ParentSpanId, int Kind);

    private sealed record TraceView(IReadOnlyList<TraceSpan> Spans)
    {
        public IReadOnlySet<string> Services { get; } = Spans.Select(s => s.Service).ToHashSet();

        /// <summary>Spans whose parent is neither the test's root nor a span of the trace (a hop that broke the chain).</summary>
        public IEnumerable<TraceSpan> Orphans(ActivitySpanId root) =>
            Spans.Where(s => s.ParentSpanId != root.ToHexString() && !Spans.Any(p => p.SpanId == s.ParentSpanId));
    }

    private const int ServerKind = 2;
    private const int ClientKind = 3;

    private static void AssertHop(TraceView trace, string caller, string callee) =>
        Assert.True(
            trace.Spans.Any(server => server.Service == callee && server.Kind == ServerKind
                && trace.Spans.Any(client => client.Service == caller && client.Kind == ClientKind && client.SpanId == server.ParentSpanId)),
            $"no client span of {caller} is the parent of a server span of {callee}: {Describe(trace)}");

    private static string Describe(TraceView trace) =>
        string.Join("; ", trace.Spans.Select(s => $"{s.Service}:{s.SpanId}<-{s.ParentSpanId} kind {s.Kind}"));

    /// <summary>
    /// Polls the dashboard's telemetry API (OTLP JSON) until the trace has spans from every service
    /// named and no span whose parent is missing (the exporters send in batches, so it fills up).
    /// </summary>
    private static async Task<TraceView> WaitForTraceAsync(
        Uri dashboard, ActivityTraceId traceId, string[] services, ActivitySpanId root, CancellationToken cancellationToken)
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
                var trace = new TraceView(SpansOf(json.RootElement, traceId.ToHexString()));
                if (services.All(trace.Services.Contains) && !trace.Orphans(root).Any())
                {
                    return trace;
                }

                lastSeen = $"services {string.Join(",", trace.Services.Order())}; missing {string.Join(",", services.Except(trace.Services))}; "
                    + $"orphans {string.Join(",", trace.Orphans(root).Select(o => $"{o.Service}<-{o.ParentSpanId}"))}";
            }
            else
            {
                lastSeen = $"HTTP {(int)response.StatusCode}";
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"Trace {traceId} did not reach the dashboard complete through {string.Join(", ", services)}; saw: {lastSeen}");
    }

    private static List<TraceSpan> SpansOf(JsonElement root, string traceId)
    {
        var spans = new List<TraceSpan>();
        foreach (var resourceSpans in root.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scopeSpans.GetProperty("spans").EnumerateArray())
                {
                    if (string.Equals(span.GetProperty("traceId").GetString(), traceId, StringComparison.OrdinalIgnoreCase))
                    {
                        spans.Add(new TraceSpan(
                            service,
                            span.GetProperty("spanId").GetString()!.ToLowerInvariant(),
                            span.TryGetProperty("parentSpanId", out var parent) ? (parent.GetString() ?? "").ToLowerInvariant() : "",
                            Kind(span)));
                    }
                }
            }
        }

        return spans;
    }

    /// <summary>OTLP's SpanKind, as a number or (some JSON encoders) its enum name.</summary>
    private static int Kind(JsonElement span) =>
        !span.TryGetProperty("kind", out var kind) ? 0
        : kind.ValueKind == JsonValueKind.Number ? kind.GetInt32()
        : kind.GetString() switch
        {
            "SPAN_KIND_SERVER" => ServerKind,
            "SPAN_KIND_CLIENT" => ClientKind,
            _ => 0,
        };

    private static string ServiceName(JsonElement resourceSpans) =>
        resourceSpans.TryGetProperty("resource", out var resource) && resource.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == "service.name")
                .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString())
                .FirstOrDefault() ?? "?"
            : "?";
}
