using System.Diagnostics.Metrics;

namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>
/// The proxy's OpenTelemetry instruments, named and bucketed like Istio's standard metrics so
/// dashboards and queries written for Istio work unchanged.
/// </summary>
internal sealed class ProxyInstruments
{
    public const string MeterName = "Mesh.Proxy";

    public const string RequestsTotal = "istio_requests_total";
    public const string RequestDuration = "istio_request_duration_milliseconds";
    public const string RequestBytes = "istio_request_bytes";
    public const string ResponseBytes = "istio_response_bytes";
    public const string TcpConnectionsOpened = "istio_tcp_connections_opened_total";
    public const string TcpConnectionsClosed = "istio_tcp_connections_closed_total";
    public const string TcpSentBytesTotal = "istio_tcp_sent_bytes_total";
    public const string TcpReceivedBytesTotal = "istio_tcp_received_bytes_total";

    // Istio's default buckets (DEFAULT_DURATION_BUCKETS and the size buckets of its stats plugin).
    private static readonly double[] DurationBuckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];
    private static readonly long[] SizeBuckets = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

    public ProxyInstruments(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        Requests = Meter.CreateCounter<long>(RequestsTotal, unit: "{request}", description: "Requests handled by the proxy (Istio REQUEST_COUNT).");
        Duration = Meter.CreateHistogram(RequestDuration, unit: "ms", description: "Request duration seen by the proxy (Istio REQUEST_DURATION).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        RequestSize = Meter.CreateHistogram(RequestBytes, unit: "By", description: "HTTP request body sizes (Istio REQUEST_SIZE).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        ResponseSize = Meter.CreateHistogram(ResponseBytes, unit: "By", description: "HTTP response body sizes (Istio RESPONSE_SIZE).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SizeBuckets });
        ConnectionsOpened = Meter.CreateCounter<long>(TcpConnectionsOpened, unit: "{connection}", description: "Connections accepted by the proxy's listeners (Istio TCP_OPENED_CONNECTIONS).");
        ConnectionsClosed = Meter.CreateCounter<long>(TcpConnectionsClosed, unit: "{connection}", description: "Connections closed on the proxy's listeners (Istio TCP_CLOSED_CONNECTIONS).");
        TcpSentBytes = Meter.CreateCounter<long>(TcpSentBytesTotal, unit: "By", description: "Bytes sent to the downstream of L4 connections (Istio TCP_SENT_BYTES).");
        TcpReceivedBytes = Meter.CreateCounter<long>(TcpReceivedBytesTotal, unit: "By", description: "Bytes received from the downstream of L4 connections (Istio TCP_RECEIVED_BYTES).");
    }

    public Meter Meter { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> Duration { get; }

    public Histogram<long> RequestSize { get; }

    public Histogram<long> ResponseSize { get; }

    public Counter<long> ConnectionsOpened { get; }

    public Counter<long> ConnectionsClosed { get; }

    public Counter<long> TcpSentBytes { get; }

    public Counter<long> TcpReceivedBytes { get; }
}
