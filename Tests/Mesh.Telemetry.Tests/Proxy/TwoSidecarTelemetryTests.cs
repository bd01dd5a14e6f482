using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Telemetry.Tests.Infrastructure;

namespace Mesh.Telemetry.Tests.Proxy;

/// <summary>
/// A request from productpage to reviews through both workloads' sidecars, with the real control
/// plane: one trace (client span on productpage's sidecar, server span on reviews' sidecar,
/// parent/child as the hops are), Istio's metrics from both reporters with the same labels Istio
/// would give them, and the peer metadata exchange kept away from the app.
/// </summary>
public sealed class TwoSidecarTelemetryTests
{
    [Fact]
    public async Task A_request_through_two_sidecars_is_one_trace_and_is_counted_by_both_reporters()
    {
        await using var mesh = await TelemetryMesh.StartAsync();
        await mesh.WorkloadAsync(new WorkloadSpec("reviews", "v2"), async context =>
        {
            await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync("reviews-v2 says hello");
        });
        await mesh.WorkloadAsync(new WorkloadSpec("productpage", "v1") { Upstreams = ["reviews"], WithApp = false });
        await mesh.WaitForSyncAsync();

        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var response = await mesh.CallAsync("productpage-v1", "reviews", "/reviews/1", request =>
        {
            request.Method = HttpMethod.Post;
            request.Content = new StringContent("12345");
            request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{callerSpan.ToHexString()}-01");
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

        // Spans: the caller's span → productpage's client span → reviews' server span → the app.
        var spans = await Poll.ForAsync(
            "the two proxy spans of the trace",
            () => Task.FromResult(TelemetryCapture.SpansOf(traceId) is { Count: 2 } s ? s : null));
        var client = spans.Single(s => s.Kind == ActivityKind.Client);
        var server = spans.Single(s => s.Kind == ActivityKind.Server);
        Assert.Equal(callerSpan, client.ParentSpanId);
        Assert.Equal(client.SpanId, server.ParentSpanId);
        var appSaw = mesh["reviews-v2"].App!.Requests.Single().Headers;
        Assert.Equal($"00-{traceId.ToHexString()}-{server.SpanId.ToHexString()}-01", appSaw["traceparent"]);
        Assert.False(appSaw.ContainsKey("x-mesh-peer-metadata"), "the peer metadata header must not reach the app");

        var service = $"reviews.{mesh.Namespace}.svc.cluster.local";
        Assert.Equal($"{service}:9080/*", client.DisplayName);
        Assert.Equal("productpage-v1", client.GetTagItem("source_workload"));
        Assert.Equal("reviews-v2", client.GetTagItem("destination_workload"));
        Assert.Equal("v2", client.GetTagItem("destination_version"));
        Assert.StartsWith("outbound|9080|", (string?)client.GetTagItem("upstream_cluster"));
        Assert.Equal("-", client.GetTagItem("response_flags"));
        Assert.Equal(200, client.GetTagItem("http.response.status_code"));
        Assert.Equal("POST", client.GetTagItem("http.request.method"));
        Assert.Equal("productpage-v1", server.GetTagItem("source_workload"));
        Assert.Equal("v1", server.GetTagItem("source_version"));
        Assert.Equal("reviews-v2", server.GetTagItem("destination_workload"));
        Assert.Equal(ActivityStatusCode.Unset, server.Status);

        // Metrics: one request reported by each side, labelled like Istio's.
        var requests = TelemetryCapture.Points(ProxyInstruments.RequestsTotal, mesh.Namespace);
        var source = Assert.Single(requests, p => p.Label("reporter") == "source");
        var destination = Assert.Single(requests, p => p.Label("reporter") == "destination");
        foreach (var point in new[] { source, destination })
        {
            Assert.Equal(1, point.Count);
            Assert.Equal("productpage-v1", point.Label("source_workload"));
            Assert.Equal(mesh.Namespace, point.Label("source_workload_namespace"));
            Assert.Equal("productpage", point.Label("source_app"));
            Assert.Equal("v1", point.Label("source_version"));
            Assert.Equal("reviews-v2", point.Label("destination_workload"));
            Assert.Equal(mesh.Namespace, point.Label("destination_workload_namespace"));
            Assert.Equal("reviews", point.Label("destination_app"));
            Assert.Equal("v2", point.Label("destination_version"));
            Assert.Equal(service, point.Label("destination_service"));
            Assert.Equal("reviews", point.Label("destination_service_name"));
            Assert.Equal(mesh.Namespace, point.Label("destination_service_namespace"));
            Assert.Equal("http", point.Label("request_protocol"));
            Assert.Equal("200", point.Label("response_code"));
            Assert.Equal("", point.Label("grpc_response_status"));
            Assert.Equal("-", point.Label("response_flags"));
        }

        // The sidecars talk auto mTLS: the destination knows the caller's certificate identity; the
        // source cannot know how the server authenticated it (Istio reports "unknown" there).
        var productpagePrincipal = $"spiffe://cluster.local/ns/{mesh.Namespace}/sa/bookinfo-productpage";
        var reviewsPrincipal = $"spiffe://cluster.local/ns/{mesh.Namespace}/sa/bookinfo-reviews";
        Assert.Equal("unknown", source.Label("connection_security_policy"));
        Assert.Equal("mutual_tls", destination.Label("connection_security_policy"));
        Assert.All(new[] { source, destination }, p => Assert.Equal(productpagePrincipal, p.Label("source_principal")));
        Assert.All(new[] { source, destination }, p => Assert.Equal(reviewsPrincipal, p.Label("destination_principal")));
        Assert.Equal("mutual_tls", server.GetTagItem("connection_security_policy"));

        var duration = TelemetryCapture.Points(ProxyInstruments.RequestDuration, mesh.Namespace);
        Assert.Equal(2, duration.Count);
        Assert.All(duration, p => Assert.Equal(1, p.Count));
        var sent = TelemetryCapture.Points(ProxyInstruments.RequestBytes, mesh.Namespace);
        Assert.All(sent, p => Assert.Equal(5, p.Sum));
        var received = TelemetryCapture.Points(ProxyInstruments.ResponseBytes, mesh.Namespace);
        Assert.All(received, p => Assert.Equal("reviews-v2 says hello".Length, p.Sum));

        // The mesh console's data source: reviews' sidecar serves the edge on its admin /stats.
        var stats = await mesh.Client.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{mesh["reviews-v2"].AdminPort}/stats");
        Assert.Equal("reviews-v2", stats.GetProperty("node").GetProperty("workload").GetString());
        Assert.Equal("v2", stats.GetProperty("node").GetProperty("version").GetString());
        var bounds = stats.GetProperty("latency_bounds_ms").GetArrayLength();
        var edge = Assert.Single(stats.GetProperty("edges").EnumerateArray());
        Assert.Equal("destination", edge.GetProperty("reporter").GetString());
        Assert.Equal("productpage-v1", edge.GetProperty("source").GetProperty("workload").GetString());
        Assert.Equal("v1", edge.GetProperty("source").GetProperty("version").GetString());
        Assert.Equal("reviews-v2", edge.GetProperty("destination").GetProperty("workload").GetString());
        Assert.Equal(service, edge.GetProperty("destination_service").GetString());
        Assert.Equal("mutual_tls", edge.GetProperty("security_policy").GetString());
        Assert.Equal(1, edge.GetProperty("requests").GetInt64());
        Assert.Equal(0, edge.GetProperty("errors").GetInt64());
        Assert.Equal(1, edge.GetProperty("responses").GetProperty("2xx").GetInt64());
        Assert.Equal(bounds + 1, edge.GetProperty("latency_counts").GetArrayLength());
        Assert.Equal(1, edge.GetProperty("latency_counts").EnumerateArray().Sum(c => c.GetInt64()));
        Assert.Equal(5, edge.GetProperty("request_bytes").GetInt64());
        Assert.Equal("reviews-v2 says hello".Length, edge.GetProperty("response_bytes").GetInt64());
    }
}
