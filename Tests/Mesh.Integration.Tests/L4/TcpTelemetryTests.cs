using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Integration.Tests.Infrastructure;

namespace Mesh.Integration.Tests.L4;

/// <summary>
/// Istio's TCP metrics for one connection from the curl workload to tcp-echo over mesh mTLS, as
/// each side reports it: opened/closed connections and sent/received bytes with the standard
/// labels (the destination learns its caller from the TCP peer metadata exchange), and the edge
/// the mesh console reads from /stats.
/// </summary>
public sealed class TcpTelemetryTests
{
    // The tests of this assembly run in parallel in one process and bind ports 0: a port another
    // test's proxy or client still dials (a disposed workload's address, a "refused after stop"
    // check) can be this test's inbound port by then. The destination's view is therefore read for
    // curl's connection (its principal), not for whatever reached the port first. Seen once in CI:
    // the first destination report came from such a connection (no mTLS, no peer metadata).
    [Fact]
    public async Task Both_reporters_count_the_connection_and_its_bytes_with_istios_labels()
    {
        using var metrics = new TcpMetrics();
        await using var mesh = await TcpEchoMesh.StartAsync("tcpmetrics");

        Assert.Equal("one port 9000", (await mesh.FromCurlAsync(9000))?.Replace("two", "one", StringComparison.Ordinal));

        var service = "tcp-echo.tcpmetrics.svc.cluster.local";
        var curl = "spiffe://cluster.local/ns/tcpmetrics/sa/bookinfo-curl";
        var source = await metrics.WaitForAsync("istio_tcp_connections_closed_total", "source");
        Assert.Equal("curl", source["source_workload"]);
        Assert.Equal(curl, source["source_principal"]);
        Assert.StartsWith("tcp-echo-v", source["destination_workload"]);
        Assert.Equal("tcp-echo", source["destination_app"]);
        Assert.Equal("spiffe://cluster.local/ns/tcpmetrics/sa/bookinfo-tcp-echo", source["destination_principal"]);
        Assert.Equal(service, source["destination_service"]);
        Assert.Equal("tcp", source["request_protocol"]);
        Assert.Equal("-", source["response_flags"]);

        var destination = await metrics.WaitForAsync("istio_tcp_connections_closed_total", "destination", curl);
        Assert.Equal("curl", destination["source_workload"]);
        Assert.Equal("curl", destination["source_app"]);
        Assert.Equal("mutual_tls", destination["connection_security_policy"]);
        Assert.Equal(service, destination["destination_service"]);

        // "port 9000\n" in, "one port 9000\n" out, seen from the caller's side at both proxies.
        Assert.Equal(10, metrics.Sum("istio_tcp_received_bytes_total", "source"));
        Assert.Equal(14, metrics.Sum("istio_tcp_sent_bytes_total", "source"));
        Assert.Equal(1, metrics.Sum("istio_tcp_connections_opened_total", "source"));
        Assert.Equal(10, metrics.Sum("istio_tcp_received_bytes_total", "destination", curl));

        using var http = new HttpClient();
        using var stats = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{mesh.Client.AdminPort}/stats"));
        var edge = stats.RootElement.GetProperty("edges").EnumerateArray().Single(e => e.GetProperty("protocol").GetString() == "tcp");
        Assert.Equal(1, edge.GetProperty("connections_opened").GetInt64());
        Assert.Equal(1, edge.GetProperty("connections_closed").GetInt64());
        Assert.Equal(14, edge.GetProperty("bytes_sent").GetInt64());
        Assert.Equal(10, edge.GetProperty("bytes_received").GetInt64());
        Assert.Equal("tcp-echo", edge.GetProperty("destination").GetProperty("app").GetString());
    }

    /// <summary>The proxies' istio_tcp_* measurements of this process (every proxy of the test shares the meter name).</summary>
    private sealed class TcpMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, string> Tags)> _measurements = new();

        public TcpMetrics()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Mesh.Proxy" && instrument.Name.StartsWith("istio_tcp_", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    labels[tag.Key] = tag.Value?.ToString() ?? "";
                }

                _measurements.Enqueue((instrument.Name, value, labels));
            });
            _listener.Start();
        }

        /// <summary>The labels of the first <paramref name="metric"/> the <paramref name="reporter"/> reported (for a caller with <paramref name="sourcePrincipal"/>, when given).</summary>
        public async Task<Dictionary<string, string>> WaitForAsync(string metric, string reporter, string? sourcePrincipal = null)
        {
            Dictionary<string, string>? found = null;
            await Poll.UntilAsync(
                $"{metric} reported by the {reporter}" + (sourcePrincipal is null ? "" : $" for {sourcePrincipal}"),
                () => (found = Of(metric, reporter, sourcePrincipal).Select(m => m.Tags).FirstOrDefault()) is not null,
                Seen,
                budget: TimeSpan.FromSeconds(20));
            return found!;
        }

        public long Sum(string metric, string reporter, string? sourcePrincipal = null) => Of(metric, reporter, sourcePrincipal).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();

        private IEnumerable<(string Name, long Value, Dictionary<string, string> Tags)> Of(string metric, string reporter, string? sourcePrincipal) =>
            Ours().Where(m => m.Name == metric && m.Tags.GetValueOrDefault("reporter") == reporter
                && (sourcePrincipal is null || m.Tags.GetValueOrDefault("source_principal") == sourcePrincipal));

        private IEnumerable<(string Name, long Value, Dictionary<string, string> Tags)> Ours() =>
            _measurements.Where(m => m.Tags.GetValueOrDefault("destination_service", "").Contains(".tcpmetrics.", StringComparison.Ordinal));

        private string Seen() => string.Join("; ", Ours().Select(m => $"{m.Name}={m.Value} {{{string.Join(", ", m.Tags.Select(t => $"{t.Key}={t.Value}"))}}}"));
    }
}
