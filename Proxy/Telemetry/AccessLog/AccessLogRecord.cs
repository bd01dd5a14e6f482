using System.Collections;
using System.Globalization;
using System.Text;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;

namespace Mesh.Proxy.Telemetry.AccessLog;

/// <summary>
/// One access log entry as a structured log state: every field is an attribute of the OTLP log
/// record (named like Envoy's access log operators), and the message is Envoy's default text
/// format, so the line reads the same as in an Istio sidecar's log.
/// </summary>
internal sealed class AccessLogRecord(AccessLogEntry entry) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private const string Template =
        "[{start_time}] \"{method} {path} {protocol}\" {response_code} {response_flags} {bytes_received} {bytes_sent} {duration} \"{x_forwarded_for}\" \"{user_agent}\" \"{request_id}\" \"{authority}\" \"{upstream_host}\" {upstream_cluster} {downstream_local_address} {downstream_remote_address} {requested_server_name} {route_name}";

    private KeyValuePair<string, object?>[]? _fields;

    public int Count => Fields.Length;

    public KeyValuePair<string, object?> this[int index] => Fields[index];

    private KeyValuePair<string, object?>[] Fields => _fields ??= Build();

    public static string Format(AccessLogRecord record, Exception? exception)
    {
        var e = record.Entry;
        var builder = new StringBuilder(256);
        builder.Append('[').Append(e.StartTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)).Append("] \"")
            .Append(e.Method).Append(' ').Append(PathOf(e)).Append(' ').Append(e.Protocol).Append("\" ")
            .Append(e.ResponseCode.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(Core.Routing.ResponseFlagsText.Format(e.Flags)).Append(' ')
            .Append(e.BytesReceived.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(e.BytesSent.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(((long)Math.Round(e.DurationMs)).ToString(CultureInfo.InvariantCulture)).Append(" \"")
            .Append(Dash(e.ForwardedFor)).Append("\" \"").Append(Dash(e.UserAgent)).Append("\" \"").Append(Dash(e.RequestId)).Append("\" \"")
            .Append(Dash(e.Authority)).Append("\" \"").Append(Dash(e.UpstreamHost)).Append("\" ")
            .Append(Dash(e.UpstreamCluster)).Append(' ')
            .Append(Endpoint(e.DownstreamLocalAddress, e.DownstreamLocalPort)).Append(' ')
            .Append(Endpoint(e.DownstreamRemoteAddress, e.DownstreamRemotePort)).Append(' ')
            .Append(Dash(e.RequestedServerName)).Append(' ')
            .Append(Dash(e.RouteName));
        return builder.ToString();
    }

    public AccessLogEntry Entry { get; } = entry;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Format(this, null);

    private KeyValuePair<string, object?>[] Build()
    {
        var e = Entry;
        return
        [
            new("start_time", e.StartTime.ToString("O", CultureInfo.InvariantCulture)),
            new("method", e.Method),
            new("path", PathOf(e)),
            new("protocol", e.Protocol),
            new("response_code", e.ResponseCode),
            new("response_flags", Core.Routing.ResponseFlagsText.Format(e.Flags)),
            new("grpc_status", e.GrpcStatus < 0 ? null : e.GrpcStatus),
            new("bytes_received", e.BytesReceived),
            new("bytes_sent", e.BytesSent),
            new("duration", Math.Round(e.DurationMs, 3)),
            new("upstream_attempts", e.Attempts),
            new("x_forwarded_for", e.ForwardedFor),
            new("user_agent", e.UserAgent),
            new("request_id", e.RequestId),
            new("authority", e.Authority),
            new("upstream_host", e.UpstreamHost),
            new("upstream_cluster", e.UpstreamCluster),
            new("route_name", e.RouteName),
            new("downstream_local_address", Endpoint(e.DownstreamLocalAddress, e.DownstreamLocalPort)),
            new("downstream_remote_address", Endpoint(e.DownstreamRemoteAddress, e.DownstreamRemotePort)),
            new("requested_server_name", e.RequestedServerName),
            new("listener", e.Listener),
            new(MetricLabels.Reporter, LabelValues.Of(e.Reporter)),
            new(MetricLabels.SourceWorkload, e.Source.Workload),
            new(MetricLabels.SourceWorkloadNamespace, e.Source.Namespace),
            new(MetricLabels.SourceVersion, e.Source.Version),
            new(MetricLabels.DestinationWorkload, e.Destination.Workload),
            new(MetricLabels.DestinationWorkloadNamespace, e.Destination.Namespace),
            new(MetricLabels.DestinationVersion, e.Destination.Version),
            new(MetricLabels.DestinationService, e.DestinationService),
            new(MetricLabels.ConnectionSecurityPolicy, LabelValues.Of(e.SecurityPolicy)),
            new("trace_id", e.TraceId == default ? null : e.TraceId.ToHexString()),
            new("span_id", e.SpanId == default ? null : e.SpanId.ToHexString()),
            new("{OriginalFormat}", Template),
        ];
    }

    private static string PathOf(AccessLogEntry e) => string.IsNullOrEmpty(e.Query) ? e.Path : e.Path + e.Query;

    private static string Dash(string? value) => string.IsNullOrEmpty(value) ? "-" : value;

    private static string Endpoint(System.Net.IPAddress? address, int port) =>
        address is null ? "-" : new System.Net.IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port).ToString();
}
