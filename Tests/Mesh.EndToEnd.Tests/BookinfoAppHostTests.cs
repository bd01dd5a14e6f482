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

        // One request through the ingress gateway as a browser sends it (no trace context: the
        // gateway starts the trace), until one that reviews v2/v3 served (only they call ratings).
        // Its x-request-id, which the proxies put on their spans, finds the trace in the dashboard.
        var requestId = "";
        string? reviewsPod = null;
        for (var i = 0; i < 30 && reviewsPod is null; i++)
        {
            requestId = Guid.NewGuid().ToString();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/productpage");
            request.Headers.Add("x-request-id", requestId);
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
            "ingressgateway", "productpage-sidecar", "productpage", DetailsSidecars, "details",
            $"{reviewsPod}-sidecar", reviewsPod, "ratings-sidecar", "ratings",
        ];
        var trace = await WaitForTraceAsync(mesh.DashboardUrl, requestId, expected, timeout.Token);
        output.WriteLine($"{clock.Elapsed}: trace {trace.TraceId} through {string.Join(", ", trace.Services.Order())} ({trace.Spans.Count} spans)");

        // Proxy hops are client/server span pairs, parent and child: the gateway's upstream call is
        // the parent of productpage's inbound span, reviews' outbound the parent of ratings' inbound.
        AssertHop(trace, "ingressgateway", "productpage-sidecar");
        AssertHop(trace, "productpage-sidecar", DetailsSidecars);
        AssertHop(trace, "productpage-sidecar", $"{reviewsPod}-sidecar");
        AssertHop(trace, $"{reviewsPod}-sidecar", "ratings-sidecar");
    }

    private sealed record TraceSpan(string TraceId, string Service, string SpanId, string ParentSpanId, int Kind, string? RequestId);

    private sealed record TraceView(string TraceId, IReadOnlyList<TraceSpan> Spans)
    {
        public IReadOnlySet<string> Services { get; } = Spans.Select(s => s.Service).ToHashSet();

        /// <summary>Spans whose parent is not in the trace (a hop that broke the chain); the gateway's root span has none.</summary>
        public IEnumerable<TraceSpan> Orphans() =>
            Spans.Where(s => !(s.ParentSpanId.Length == 0 && s.Service == "ingressgateway") && !Spans.Any(p => p.SpanId == s.ParentSpanId));
    }

    private const int ServerKind = 2;
    private const int ClientKind = 3;

    // details runs two replicas (docs/replicas.md), each with its own sidecar: the request passes one of them.
    private const string DetailsSidecars = "details-sidecar-*";

    /// <summary>A span's service against an expected name, or a prefix ending in '*' (one of a workload's replicas).</summary>
    private static bool Named(string service, string expected) =>
        expected.EndsWith('*') ? service.StartsWith(expected[..^1], StringComparison.Ordinal) : service == expected;

    private static void AssertHop(TraceView trace, string caller, string callee) =>
        Assert.True(
            trace.Spans.Any(server => Named(server.Service, callee) && server.Kind == ServerKind
                && trace.Spans.Any(client => client.Service == caller && client.Kind == ClientKind && client.SpanId == server.ParentSpanId)),
            $"no client span of {caller} is the parent of a server span of {callee}: {Describe(trace)}");

    private static string Describe(TraceView trace) =>
        string.Join("; ", trace.Spans.Select(s => $"{s.Service}:{s.SpanId}<-{s.ParentSpanId} kind {s.Kind}"));

    /// <summary>
    /// Polls the dashboard's telemetry API (OTLP JSON) until the trace of the request has spans from
    /// every service named and no span whose parent is missing (exporters send in batches).
    /// </summary>
    private static async Task<TraceView> WaitForTraceAsync(Uri dashboard, string requestId, string[] services, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = dashboard };
        var lastSeen = "nothing";
        return await Poll.ForAsync(
            $"the trace of request {requestId} complete through {string.Join(", ", services)} at the dashboard",
            async budget =>
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget, cancellationToken);
                using var response = await client.GetAsync("/api/telemetry/traces", linked.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    lastSeen = $"HTTP {(int)response.StatusCode}";
                    return null;
                }

                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(linked.Token));
                var spans = SpansOf(json.RootElement);
                var traceId = spans.FirstOrDefault(s => s.Service == "ingressgateway" && s.RequestId == requestId)?.TraceId;
                if (traceId is null)
                {
                    lastSeen = $"no ingressgateway span with x-request-id {requestId} among {spans.Count} spans";
                    return null;
                }

                var trace = new TraceView(traceId, [.. spans.Where(s => s.TraceId == traceId)]);
                if (services.All(service => trace.Services.Any(s => Named(s, service))) && !trace.Orphans().Any())
                {
                    return trace;
                }

                lastSeen = $"trace {traceId}: services {string.Join(",", trace.Services.Order())}; missing {string.Join(",", services.Except(trace.Services))}; "
                    + $"orphans {string.Join(",", trace.Orphans().Select(o => $"{o.Service}<-{o.ParentSpanId}"))}";
                return null;
            },
            () => lastSeen,
            budget: TelemetryTimeout);
    }

    private static List<TraceSpan> SpansOf(JsonElement root)
    {
        var spans = new List<TraceSpan>();
        foreach (var resourceSpans in root.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scopeSpans.GetProperty("spans").EnumerateArray())
                {
                    spans.Add(new TraceSpan(
                        span.GetProperty("traceId").GetString()!.ToLowerInvariant(),
                        service,
                        span.GetProperty("spanId").GetString()!.ToLowerInvariant(),
                        span.TryGetProperty("parentSpanId", out var parent) ? (parent.GetString() ?? "").ToLowerInvariant() : "",
                        Kind(span),
                        StringAttribute(span, "guid:x-request-id")));
                }
            }
        }

        return spans;
    }

    private static string? StringAttribute(JsonElement span, string key) =>
        span.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == key)
                .Select(a => a.GetProperty("value").TryGetProperty("stringValue", out var value) ? value.GetString() : null)
                .FirstOrDefault()
            : null;

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
