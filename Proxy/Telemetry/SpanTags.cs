using System.Diagnostics;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Model;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// The tags of a proxy span: OpenTelemetry's HTTP semantic conventions (so the dashboard shows it
/// as an HTTP span) plus Istio's span tags and the metric labels of the request.
/// </summary>
internal static class SpanTags
{
    public static void Apply(Activity span, HttpContext context, RoutingResult request, TelemetryModel model, in SeriesKey key, TelemetryRequestFeature state, string? nodeId)
    {
        var httpRequest = context.Request;
        span.SetTag("http.request.method", httpRequest.Method);
        span.SetTag("url.path", httpRequest.Path.Value);
        span.SetTag("url.scheme", httpRequest.Scheme);
        span.SetTag("server.address", httpRequest.Host.Host);
        span.SetTag("network.protocol.version", ProtocolVersion(httpRequest.Protocol));
        span.SetTag("http.response.status_code", LabelValues.Boxed(key.Code));
        span.SetTag("user_agent.original", httpRequest.Headers.UserAgent.ToString());
        span.SetTag("http.url", $"{httpRequest.Scheme}://{httpRequest.Host.Value}{httpRequest.Path.Value}{httpRequest.QueryString.Value}");
        if (httpRequest.Headers.TryGetValue("x-request-id", out var requestId))
        {
            span.SetTag("guid:x-request-id", requestId.ToString());
        }

        // Istio's own span tags.
        span.SetTag("component", "proxy");
        span.SetTag("node_id", nodeId);
        span.SetTag("istio.namespace", model.Self.Namespace);
        span.SetTag("istio.canonical_service", model.Self.App);
        span.SetTag("istio.canonical_revision", model.Self.Version);
        span.SetTag("response_flags", ResponseFlagsText.Format(key.Flags));
        span.SetTag("request_size", LabelValues.Boxed(state.RequestBytes));
        span.SetTag("response_size", LabelValues.Boxed(state.ResponseBytes));
        span.SetTag("peer.address", context.Connection.RemoteIpAddress?.ToString());
        if (request.Cluster is { } cluster)
        {
            span.SetTag("upstream_cluster", cluster.Name);
            span.SetTag("upstream_cluster.name", cluster.Name);
        }

        if (state.UpstreamAuthority is { } upstream)
        {
            span.SetTag("upstream_host", upstream);
        }

        if (request.Route is { } route)
        {
            span.SetTag("route_name", route.Name);
            if (route.VirtualService is { } virtualService)
            {
                span.SetTag("virtual_service", virtualService);
            }
        }

        if (request.Attempts > 1)
        {
            span.SetTag("retry.attempts", LabelValues.Boxed(request.Attempts));
        }

        // Who talked to whom, as the metrics say it.
        span.SetTag(MetricLabels.Reporter, LabelValues.Of(key.Reporter));
        span.SetTag(MetricLabels.SourceWorkload, key.Source.Workload);
        span.SetTag(MetricLabels.SourceWorkloadNamespace, key.Source.Namespace);
        span.SetTag(MetricLabels.SourceApp, key.Source.App);
        span.SetTag(MetricLabels.SourceVersion, key.Source.Version);
        span.SetTag(MetricLabels.SourcePrincipal, key.SourcePrincipal);
        span.SetTag(MetricLabels.DestinationWorkload, key.Destination.Workload);
        span.SetTag(MetricLabels.DestinationWorkloadNamespace, key.Destination.Namespace);
        span.SetTag(MetricLabels.DestinationApp, key.Destination.App);
        span.SetTag(MetricLabels.DestinationVersion, key.Destination.Version);
        span.SetTag(MetricLabels.DestinationPrincipal, key.DestinationPrincipal);
        span.SetTag(MetricLabels.DestinationService, key.Service.Service);
        span.SetTag(MetricLabels.RequestProtocol, LabelValues.Of(key.Protocol));
        span.SetTag(MetricLabels.ConnectionSecurityPolicy, LabelValues.Of(key.Policy));
        if (key.GrpcStatus >= 0)
        {
            span.SetTag("rpc.grpc.status_code", LabelValues.Boxed(key.GrpcStatus));
        }

        foreach (var tag in model.CustomTags)
        {
            span.SetTag(tag.Key, tag.Value);
        }

        // Envoy marks 5xx (and requests that got no response) as errors.
        if (key.Code is 0 or >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error, key.Flags == ResponseFlags.None ? null : ResponseFlagsText.Format(key.Flags));
        }
    }

    /// <summary>The gateway's server span: the request as it arrived; the client span under it carries the upstream details.</summary>
    public static void ApplyServer(Activity span, HttpContext context, TelemetryModel model, in SeriesKey key)
    {
        var httpRequest = context.Request;
        span.SetTag("http.request.method", httpRequest.Method);
        span.SetTag("url.path", httpRequest.Path.Value);
        span.SetTag("url.scheme", httpRequest.Scheme);
        span.SetTag("server.address", httpRequest.Host.Host);
        span.SetTag("http.response.status_code", LabelValues.Boxed(key.Code));
        span.SetTag("component", "proxy");
        span.SetTag("istio.namespace", model.Self.Namespace);
        span.SetTag("istio.canonical_service", model.Self.App);
        span.SetTag("response_flags", ResponseFlagsText.Format(key.Flags));
        foreach (var tag in model.CustomTags)
        {
            span.SetTag(tag.Key, tag.Value);
        }

        if (key.Code is 0 or >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/1.0" => "1.0",
        "HTTP/3" => "3",
        _ => protocol,
    };
}
