using System.Diagnostics;
using Mesh.Proxy.Telemetry.AccessLog;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Telemetry.Tests.Infrastructure;

namespace Mesh.Telemetry.Tests.Proxy;

/// <summary>
/// Istio's Telemetry resource acting per workload: a namespace-wide access log filter applies to
/// every sidecar, while a resource selecting productpage turns its trace sampling off and changes
/// its client metrics. details, the other caller of the same service, keeps the defaults.
/// </summary>
public sealed class TelemetryResourceTests
{
    private const string Telemetry = """
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata:
          name: mesh-default
          namespace: {ns}
        spec:
          accessLogging:
          - filter:
              expression: response.code >= 400 && request.url_path != "/ignored"
        ---
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata:
          name: productpage
          namespace: {ns}
        spec:
          selector:
            matchLabels:
              app: productpage
          tracing:
          - randomSamplingPercentage: 0
          metrics:
          - overrides:
            - match: {metric: REQUEST_COUNT, mode: CLIENT}
              tagOverrides:
                request_method: {value: request.method}
                source_principal: {operation: REMOVE}
            - match: {metric: REQUEST_DURATION, mode: CLIENT}
              disabled: true
        """;

    [Fact]
    public async Task Sampling_access_log_filter_and_metric_overrides_apply_to_the_selected_workloads()
    {
        await using var mesh = await TelemetryMesh.StartAsync();
        await mesh.WorkloadAsync(new WorkloadSpec("reviews", "v1"), context =>
        {
            context.Response.StatusCode = context.Request.Path.Value == "/ok" ? 200 : 404;
            return Task.CompletedTask;
        });
        await mesh.WorkloadAsync(new WorkloadSpec("productpage", "v1") { Upstreams = ["reviews"], WithApp = false });
        await mesh.WorkloadAsync(new WorkloadSpec("details", "v1") { Upstreams = ["reviews"], WithApp = false });
        await mesh.WaitForSyncAsync();
        await mesh.ApplyAsync(Telemetry);

        // New traces (no trace context from the caller): each sidecar samples with its own percentage.
        foreach (var caller in new[] { "productpage-v1", "details-v1" })
        {
            foreach (var path in new[] { "/ok", "/missing", "/ignored" })
            {
                using var response = await mesh.CallAsync(caller, "reviews", path, r => r.Headers.Add("x-request-id", $"{caller}{path}"));
                Assert.Equal(path == "/ok" ? 200 : 404, (int)response.StatusCode);
            }
        }

        // Sampling: productpage's 0 % is a decision the next hop keeps (the app sees flag 00, and
        // reviews' sidecar records nothing for it); details' default 100 % records both hops.
        var seen = mesh["reviews-v1"].App!.Requests.Select(r => r.Headers).ToList();
        Assert.Equal(6, seen.Count);
        Assert.All(seen.Where(h => h["x-request-id"].StartsWith("productpage", StringComparison.Ordinal)), h => Assert.EndsWith("-00", h["traceparent"], StringComparison.Ordinal));
        Assert.All(seen.Where(h => h["x-request-id"].StartsWith("details", StringComparison.Ordinal)), h => Assert.EndsWith("-01", h["traceparent"], StringComparison.Ordinal));
        foreach (var headers in seen)
        {
            var traceId = ActivityTraceId.CreateFromString(headers["traceparent"].AsSpan(3, 32));
            if (headers["x-request-id"].StartsWith("details", StringComparison.Ordinal))
            {
                await Poll.UntilAsync($"both hops of {headers["x-request-id"]} recorded", () => TelemetryCapture.SpansOf(traceId).Count == 2);
            }
            else
            {
                Assert.Empty(TelemetryCapture.SpansOf(traceId));
            }
        }

        // Access logs: one per request and reporter where the filter holds (404 and not /ignored),
        // from both sidecars of the hop, nothing for the 200s.
        var logs = await Poll.ForAsync(
            "4 access logs",
            () => Task.FromResult(AccessLogs(mesh) is { Count: >= 4 } l ? l : null),
            () => string.Join(" | ", AccessLogs(mesh).Select(l => l.Message)));
        Assert.Equal(4, logs.Count);
        Assert.All(logs, l => Assert.Equal("/missing", l.Fields["path"]));
        Assert.All(logs, l => Assert.Equal(404, l.Fields["response_code"]));
        foreach (var caller in new[] { "productpage-v1", "details-v1" })
        {
            var mine = logs.Where(l => (string?)l.Fields["source_workload"] == caller).ToList();
            Assert.Equal(["destination", "source"], mine.Select(l => (string)l.Fields["reporter"]!).Order());
            Assert.All(mine, l => Assert.Equal($"{caller}/missing", l.Fields["request_id"]));
            Assert.All(mine, l => Assert.Equal("reviews-v1", l.Fields["destination_workload"]));
        }

        // Metric overrides: productpage's client counts carry request_method and no source_principal,
        // and it reports no client durations; details' and the server side's labels are Istio's standard.
        var requests = TelemetryCapture.Points(ProxyInstruments.RequestsTotal, mesh.Namespace);
        var productpageClient = requests.Where(p => p.Label("reporter") == "source" && p.Label("source_workload") == "productpage-v1").ToList();
        Assert.Equal(3, productpageClient.Sum(p => p.Count));
        Assert.All(productpageClient, p => Assert.Equal("GET", p.Label("request_method")));
        Assert.All(productpageClient, p => Assert.False(p.Labels.ContainsKey("source_principal")));
        var standard = requests.Except(productpageClient).ToList();
        Assert.Equal(9, standard.Sum(p => p.Count));
        Assert.All(standard, p => Assert.Equal(MetricLabels.All.Order(), p.Labels.Keys.Order()));

        var durations = TelemetryCapture.Points(ProxyInstruments.RequestDuration, mesh.Namespace);
        Assert.DoesNotContain(durations, p => p.Label("reporter") == "source" && p.Label("source_workload") == "productpage-v1");
        Assert.Equal(3, durations.Where(p => p.Label("reporter") == "source" && p.Label("source_workload") == "details-v1").Sum(p => p.Count));
        Assert.Equal(6, durations.Where(p => p.Label("reporter") == "destination").Sum(p => p.Count));
    }

    private static List<CapturedLogs.Entry> AccessLogs(TestMesh mesh) => [.. mesh.Logs.Of(AccessLogWriter.Category)];
}
