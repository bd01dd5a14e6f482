using System.Diagnostics;
using System.Net;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Telemetry.Tests.Infrastructure;

namespace Mesh.Telemetry.Tests.Proxy;

/// <summary>
/// What each reporter says when things go wrong: an app's 5xx, an app that is down (UF at the
/// destination), an injected fault (FI, never reaches the destination), retries that succeed
/// (one request at the source, one per attempt at the destination) and retries that run out (URX).
/// </summary>
public sealed class ResponseOutcomeTelemetryTests
{
    private const string Routes = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: {ns}
        spec:
          hosts: [reviews]
          http:
          - name: fault
            match: [{uri: {prefix: /fault}}]
            fault:
              abort:
                httpStatus: 418
                percentage: {value: 100}
            route: [{destination: {host: reviews}}]
          - name: flaky
            match: [{uri: {prefix: /flaky}}]
            retries: {attempts: 3, retryOn: 5xx}
            route: [{destination: {host: reviews}}]
          - name: exhausted
            match: [{uri: {prefix: /exhausted}}]
            retries: {attempts: 2, retryOn: 5xx}
            route: [{destination: {host: reviews}}]
          - name: plain
            retries: {attempts: 0}
            route: [{destination: {host: reviews}}]
        """;

    [Fact]
    public async Task Response_codes_and_flags_are_right_for_errors_faults_and_retries()
    {
        await using var mesh = await TelemetryMesh.StartAsync();
        var flakyCalls = 0;
        await mesh.WorkloadAsync(new WorkloadSpec("reviews", "v1"), context =>
        {
            context.Response.StatusCode = context.Request.Path.Value switch
            {
                "/unavailable" => 503,
                "/exhausted" => 500,
                "/flaky" => Interlocked.Increment(ref flakyCalls) <= 2 ? 502 : 200,
                _ => 200,
            };
            return Task.CompletedTask;
        });

        // details' app is not running: its sidecar cannot connect (UF).
        var closedPort = await Mesh.Testing.Backends.TestBackend.UnusedPortAsync();
        await mesh.WorkloadAsync(new WorkloadSpec("details", "v1") { AppPort = closedPort, WithApp = false });
        await mesh.WorkloadAsync(new WorkloadSpec("productpage", "v1") { Upstreams = ["reviews", "details"], WithApp = false });
        await mesh.WaitForSyncAsync();
        await mesh.ApplyAsync(Routes);

        var traces = new Dictionary<string, ActivityTraceId>();
        foreach (var (service, path) in new[] { ("reviews", "/unavailable"), ("reviews", "/fault"), ("reviews", "/flaky"), ("reviews", "/exhausted"), ("details", "/details") })
        {
            var traceId = ActivityTraceId.CreateRandom();
            traces[path] = traceId;
            using var response = await mesh.CallAsync("productpage-v1", service, path, r => r.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01"));
            var expected = path switch
            {
                "/unavailable" => HttpStatusCode.ServiceUnavailable,
                "/fault" => (HttpStatusCode)418,
                "/flaky" => HttpStatusCode.OK,
                "/exhausted" => HttpStatusCode.InternalServerError,
                _ => HttpStatusCode.ServiceUnavailable,
            };
            Assert.True(expected == response.StatusCode, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var reviews = $"reviews.{mesh.Namespace}.svc.cluster.local";
        var details = $"details.{mesh.Namespace}.svc.cluster.local";

        // A sidecar counts a request when its response has completed, which can be just after the
        // caller has read it: wait until every request is counted (five at productpage's sidecar,
        // one per attempt at the destinations: 1 + 3 + 3 + 3), then check how they are labelled.
        IReadOnlyList<MetricPointSnapshot> points = [];
        long Counted(string reporter) => points.Where(p => p.Label("reporter") == reporter).Sum(p => p.Count);
        await Poll.UntilAsync(
            "every request counted by both reporters",
            () => (points = TelemetryCapture.Points(ProxyInstruments.RequestsTotal, mesh.Namespace)) is var _ && Counted("source") >= 5 && Counted("destination") >= 10,
            () => $"source {Counted("source")}, destination {Counted("destination")}");
        void AssertCount(long expected, string reporter, string service, string code, string flags)
        {
            var actual = points.Where(p => p.Label("reporter") == reporter && p.Label("destination_service") == service && p.Label("response_code") == code && p.Label("response_flags") == flags).Sum(p => p.Count);
            Assert.True(expected == actual, $"{reporter} {service} {code} {flags}: expected {expected}, counted {actual}; points:\n{string.Join("\n", points)}");
        }

        // The app's 503 passes through both sidecars unchanged.
        AssertCount(1, "source", reviews, "503", "-");
        AssertCount(1, "destination", reviews, "503", "-");

        // Injected fault: answered by productpage's sidecar, flagged FI, never seen by reviews; the
        // route still names the service (as in Istio), no workload was reached.
        Assert.Single(points, p => p.Label("response_flags") == "FI" && p.Label("destination_workload") == "unknown");
        AssertCount(1, "source", reviews, "418", "FI");
        AssertCount(0, "destination", reviews, "418", "FI");

        // Retries that succeed: one request for the caller, every attempt for the destination.
        AssertCount(1, "source", reviews, "200", "-");
        AssertCount(2, "destination", reviews, "502", "-");
        AssertCount(1, "destination", reviews, "200", "-");

        // Retries that run out: the last response, flagged URX at the source.
        AssertCount(1, "source", reviews, "500", "URX");
        AssertCount(3, "destination", reviews, "500", "-");

        // details' app is down: its sidecar answers 503 UF. details has no VirtualService, so Istio's
        // default retry policy (2 retries on 503 among others) applies at productpage's sidecar: three
        // attempts at the destination, and the last 503 flagged URX at the source.
        AssertCount(3, "destination", details, "503", "UF");
        AssertCount(1, "source", details, "503", "URX");

        // Spans follow the same story.
        var fault = await SpansAsync(traces["/fault"], 1);
        Assert.Equal("FI", fault[0].GetTagItem("response_flags"));
        Assert.Equal(418, fault[0].GetTagItem("http.response.status_code"));
        Assert.Equal("fault", fault[0].GetTagItem("route_name"));

        var flaky = await SpansAsync(traces["/flaky"], 4);
        var flakyClient = flaky.Single(s => s.Kind == ActivityKind.Client);
        Assert.Equal(3, flakyClient.GetTagItem("retry.attempts"));
        Assert.Equal(ActivityStatusCode.Unset, flakyClient.Status);
        var attempts = flaky.Where(s => s.Kind == ActivityKind.Server).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(flakyClient.SpanId, a.ParentSpanId));
        Assert.Equal([200, 502, 502], attempts.Select(a => (int)a.GetTagItem("http.response.status_code")!).Order());

        var exhausted = (await SpansAsync(traces["/exhausted"], 4)).Single(s => s.Kind == ActivityKind.Client);
        Assert.Equal("URX", exhausted.GetTagItem("response_flags"));
        Assert.Equal(ActivityStatusCode.Error, exhausted.Status);

        var down = await SpansAsync(traces["/details"], 4);
        var downClient = down.Single(s => s.Kind == ActivityKind.Client);
        Assert.Equal("URX", downClient.GetTagItem("response_flags"));
        var downServers = down.Where(s => s.Kind == ActivityKind.Server).ToList();
        Assert.Equal(3, downServers.Count);
        Assert.All(downServers, s =>
        {
            Assert.Equal("UF", s.GetTagItem("response_flags"));
            Assert.Equal(ActivityStatusCode.Error, s.Status);
            Assert.Equal(downClient.SpanId, s.ParentSpanId);
        });
    }

    private static Task<IReadOnlyList<Activity>> SpansAsync(ActivityTraceId traceId, int count) =>
        Poll.ForAsync(
            $"{count} spans of trace {traceId}",
            () => Task.FromResult(TelemetryCapture.SpansOf(traceId) is { } spans && spans.Count >= count ? spans : null),
            () => $"{TelemetryCapture.SpansOf(traceId).Count} spans");
}
