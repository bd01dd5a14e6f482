using System.Globalization;
using System.Text.Json;
using Mesh.Proxy.Core.Admin;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Peers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Telemetry.Stats;

/// <summary>
/// <c>GET /stats</c> on the admin listener: this proxy's cumulative traffic per graph edge (JSON),
/// which the control plane's mesh console reads to draw the live service graph. Cumulative
/// counters survive a missed poll; the console computes rates and percentiles from two readings.
/// </summary>
internal sealed class StatsEndpoint : IAdminEndpoint
{
    private readonly EdgeStatsRegistry _edges;
    private readonly MeshProxyOptions _options;

    public StatsEndpoint(EdgeStatsRegistry edges, IOptions<MeshProxyOptions> options)
    {
        _edges = edges;
        _options = options.Value;
    }

    public string Path => "/stats";

    public Task WriteAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(Write()).AsTask();
    }

    internal byte[] Write()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            var labels = _options.Node.Labels;
            json.WriteStartObject();
            json.WriteStartObject("node");
            json.WriteString("id", _options.Node.Id ?? _options.Node.Workload);
            json.WriteString("workload", _options.Node.Workload);
            json.WriteString("namespace", _options.Node.Namespace);
            json.WriteString("app", WorkloadPeer.AppOf(labels, _options.Node.Workload));
            json.WriteString("version", WorkloadPeer.VersionOf(labels));
            json.WriteString("mode", _options.Mode == MeshProxyMode.Gateway ? "gateway" : "sidecar");
            json.WriteEndObject();
            json.WriteString("started_at", _edges.StartedAt.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            json.WriteNumber("edges_dropped", _edges.Dropped);
            json.WriteStartArray("latency_bounds_ms");
            foreach (var bound in LatencyBuckets.UpperBoundsMs)
            {
                json.WriteNumberValue(bound);
            }

            json.WriteEndArray();
            json.WriteStartArray("edges");
            foreach (var edge in _edges.All)
            {
                WriteEdge(json, edge);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteEdge(Utf8JsonWriter json, EdgeStats edge)
    {
        var key = edge.Key;
        json.WriteStartObject();
        json.WriteString("reporter", LabelValues.Of(key.Reporter));
        json.WriteStartObject("source");
        json.WriteString("workload", key.SourceWorkload);
        json.WriteString("namespace", key.SourceNamespace);
        json.WriteString("app", key.SourceApp);
        json.WriteString("version", key.SourceVersion);
        json.WriteEndObject();
        json.WriteStartObject("destination");
        json.WriteString("workload", key.DestinationWorkload);
        json.WriteString("namespace", key.DestinationNamespace);
        json.WriteString("app", key.DestinationApp);
        json.WriteString("version", key.DestinationVersion);
        json.WriteEndObject();
        json.WriteString("destination_service", key.DestinationService);
        json.WriteString("protocol", LabelValues.Of(key.Protocol));
        json.WriteString("security_policy", LabelValues.Of(key.SecurityPolicy));
        json.WriteNumber("requests", edge.Requests);
        json.WriteNumber("errors", edge.Errors);
        json.WriteStartObject("responses");
        json.WriteNumber("none", edge.ResponsesOfClass(0));
        for (var statusClass = 1; statusClass <= 5; statusClass++)
        {
            json.WriteNumber($"{statusClass}xx", edge.ResponsesOfClass(statusClass));
        }

        json.WriteEndObject();
        json.WriteNumber("duration_ms_sum", edge.DurationMicros / 1000.0);
        json.WriteStartArray("latency_counts");
        for (var bucket = 0; bucket < LatencyBuckets.Count; bucket++)
        {
            json.WriteNumberValue(edge.LatencyCount(bucket));
        }

        json.WriteEndArray();
        json.WriteNumber("request_bytes", edge.RequestBytes);
        json.WriteNumber("response_bytes", edge.ResponseBytes);
        if (key.Protocol == RequestProtocol.Tcp)
        {
            json.WriteNumber("connections_opened", edge.ConnectionsOpened);
            json.WriteNumber("connections_closed", edge.ConnectionsClosed);
            json.WriteNumber("connections_failed", edge.ConnectionsFailed);
            json.WriteNumber("bytes_sent", edge.BytesSent);
            json.WriteNumber("bytes_received", edge.BytesReceived);
        }

        json.WriteEndObject();
    }
}
