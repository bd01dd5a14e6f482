using System.Diagnostics;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Telemetry.Tests.Infrastructure;

namespace Mesh.Telemetry.Tests.Proxy;

/// <summary>
/// Zipkin B3 callers (single and multi header, 64-bit trace ids) are continued like W3C ones and
/// their B3 headers point at the proxy's span for the app; Istio's TCP connection counters count
/// the connections each reporter's listener accepted and closed.
/// </summary>
public sealed class TraceHeadersAndConnectionsTests
{
    [Fact]
    public async Task B3_trace_context_is_continued_and_connections_are_counted_by_both_reporters()
    {
        await using var mesh = await TelemetryMesh.StartAsync();
        await mesh.WorkloadAsync(new WorkloadSpec("reviews", "v1"));
        var productpage = await mesh.WorkloadAsync(new WorkloadSpec("productpage", "v1") { Upstreams = ["reviews"], WithApp = false });
        await mesh.WaitForSyncAsync();

        // One client connection of our own to productpage's outbound listener, closed at the end.
        using (var client = new HttpClient())
        {
            var single = ActivityTraceId.CreateRandom();
            var singleParent = ActivitySpanId.CreateRandom();
            await SendAsync(client, productpage, r => r.Headers.Add("b3", $"{single.ToHexString()}-{singleParent.ToHexString()}-1"));
            var (singleClient, singleServer) = await HopAsync(single);
            Assert.Equal(singleParent, singleClient.ParentSpanId);
            Assert.Equal(singleClient.SpanId, singleServer.ParentSpanId);
            var singleSeen = LastRequest(mesh);
            Assert.Equal($"{single.ToHexString()}-{singleServer.SpanId.ToHexString()}-1", singleSeen["b3"]);
            Assert.Equal($"00-{single.ToHexString()}-{singleServer.SpanId.ToHexString()}-01", singleSeen["traceparent"]);

            // Multi-header B3 with a 64-bit trace id (widened to 128 bits, as Envoy does).
            var shortTrace = ActivityTraceId.CreateRandom().ToHexString()[16..];
            var multiParent = ActivitySpanId.CreateRandom();
            await SendAsync(client, productpage, r =>
            {
                r.Headers.Add("x-b3-traceid", shortTrace);
                r.Headers.Add("x-b3-spanid", multiParent.ToHexString());
                r.Headers.Add("x-b3-sampled", "1");
            });
            var multi = ActivityTraceId.CreateFromString("0000000000000000" + shortTrace);
            var (multiClient, multiServer) = await HopAsync(multi);
            Assert.Equal(multiParent, multiClient.ParentSpanId);
            var multiSeen = LastRequest(mesh);
            Assert.Equal(multi.ToHexString(), multiSeen["x-b3-traceid"]);
            Assert.Equal(multiServer.SpanId.ToHexString(), multiSeen["x-b3-spanid"]);
            Assert.Equal(multiClient.SpanId.ToHexString(), multiSeen["x-b3-parentspanid"]);
            Assert.Equal("1", multiSeen["x-b3-sampled"]);
        }

        // TCP counters: productpage's outbound accepted our one connection and saw it close; reviews'
        // inbound accepted the sidecars' mTLS connection (pooled by productpage's sidecar, so still open).
        var reviews = $"reviews.{mesh.Namespace}.svc.cluster.local";
        var closed = await Poll.ForAsync(
            "productpage's outbound listener to report the closed connection",
            () => Task.FromResult(TelemetryCapture.Points(ProxyInstruments.TcpConnectionsClosed, mesh.Namespace).Where(p => p.Label("reporter") == "source").ToList() is { Count: > 0 } c ? c : null));
        var sourceClosed = Assert.Single(closed);
        Assert.Equal(1, sourceClosed.Count);
        Assert.Equal("productpage-v1", sourceClosed.Label("source_workload"));
        Assert.Equal(reviews, sourceClosed.Label("destination_service"));
        Assert.Equal("tcp", sourceClosed.Label("request_protocol"));

        var opened = TelemetryCapture.Points(ProxyInstruments.TcpConnectionsOpened, mesh.Namespace);
        var sourceOpened = Assert.Single(opened, p => p.Label("reporter") == "source");
        Assert.Equal(1, sourceOpened.Count);
        Assert.Equal("unknown", sourceOpened.Label("connection_security_policy"));
        var destinationOpened = opened.Where(p => p.Label("reporter") == "destination").ToList();
        Assert.True(destinationOpened.Sum(p => p.Count) >= 1, string.Join("\n", opened));
        Assert.All(destinationOpened, p =>
        {
            Assert.Equal("mutual_tls", p.Label("connection_security_policy"));
            Assert.Equal($"spiffe://cluster.local/ns/{mesh.Namespace}/sa/bookinfo-productpage", p.Label("source_principal"));
            Assert.Equal(mesh.Namespace, p.Label("source_workload_namespace"));
            Assert.Equal("reviews-v1", p.Label("destination_workload"));
            Assert.Equal(reviews, p.Label("destination_service"));
        });
    }

    [Fact]
    public async Task A_request_without_an_id_gets_one_and_a_caller_id_is_kept()
    {
        await using var mesh = await TelemetryMesh.StartAsync(captureTelemetry: false);
        await mesh.WorkloadAsync(new WorkloadSpec("reviews", "v1"));
        var productpage = await mesh.WorkloadAsync(new WorkloadSpec("productpage", "v1") { Upstreams = ["reviews"], WithApp = false });
        await mesh.WaitForSyncAsync();
        using var client = new HttpClient();

        await SendAsync(client, productpage, _ => { });
        var generated = LastRequest(mesh)["x-request-id"];
        Assert.True(Guid.TryParse(generated, out _), generated);

        await SendAsync(client, productpage, _ => { });
        Assert.NotEqual(generated, LastRequest(mesh)["x-request-id"]);

        await SendAsync(client, productpage, r => r.Headers.Add("x-request-id", "caller-chosen-id"));
        Assert.Equal("caller-chosen-id", LastRequest(mesh)["x-request-id"]);
    }

    private static async Task SendAsync(HttpClient client, TestWorkload from, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, from.Outbound("reviews"));
        configure(request);
        using var response = await client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<(Activity Client, Activity Server)> HopAsync(ActivityTraceId traceId)
    {
        var spans = await Poll.ForAsync(
            $"the two proxy spans of trace {traceId}",
            () => Task.FromResult(TelemetryCapture.SpansOf(traceId) is { Count: 2 } s ? s : null),
            () => $"{TelemetryCapture.SpansOf(traceId).Count} spans");
        return (spans.Single(s => s.Kind == ActivityKind.Client), spans.Single(s => s.Kind == ActivityKind.Server));
    }

    private static IReadOnlyDictionary<string, string> LastRequest(TestMesh mesh) => mesh["reviews-v1"].App!.Last.Headers;
}
