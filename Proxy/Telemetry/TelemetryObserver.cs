using System.Diagnostics;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.AccessLog;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Stats;
using Mesh.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// Records a completed request: Istio's standard metrics (labels from a per-snapshot cache, so a
/// request with a known label combination allocates nothing), the graph edge for the mesh
/// console, the tags and end of the hop's spans, and — when the Telemetry resource enables
/// access logging and its filter matches — an access log entry for the background writer.
/// </summary>
internal sealed class TelemetryObserver : IMeshRequestObserver
{
    private readonly ProxyInstruments _instruments;
    private readonly TelemetryTranslator _translator;
    private readonly AccessLogQueue _accessLogs;
    private readonly EdgeStatsRegistry _edges;
    private readonly PrincipalPeers _principalPeers = new();
    private readonly string? _nodeId;

    public TelemetryObserver(ProxyInstruments instruments, TelemetryTranslator translator, AccessLogQueue accessLogs, EdgeStatsRegistry edges, IOptions<MeshProxyOptions> options)
    {
        _instruments = instruments;
        _translator = translator;
        _accessLogs = accessLogs;
        _edges = edges;
        _nodeId = options.Value.Node.Id ?? options.Value.Node.Workload;
    }

    public void OnRequestCompleted(HttpContext context, RoutingResult request)
    {
        var state = context.Features.Get<TelemetryRequestFeature>() ?? new TelemetryRequestFeature();
        var model = request.Model?.FeatureModels.Get<TelemetryModel>() ?? _translator.Initial;
        var response = context.Response;
        var code = context.RequestAborted.IsCancellationRequested && !response.HasStarted ? 0 : response.StatusCode;
        var grpc = IsGrpc(context.Request);
        var grpcStatus = grpc ? ReadGrpcStatus(context) : -1;
        var elapsed = Stopwatch.GetElapsedTime(request.StartTimestamp);

        var key = request.Listener.Kind == ListenerKind.Inbound
            ? DestinationKey(context, state, model, code, grpcStatus, grpc, request.Flags)
            : SourceKey(context, request, state, model, code, grpcStatus, grpc);

        state.Context = context;
        state.Request = request;
        state.ResponseCode = code;
        state.GrpcStatus = grpcStatus;
        state.Duration = elapsed;

        var series = model.Series.Get(key);
        RecordMetrics(series, state, elapsed.TotalMilliseconds);
        if (series.Edge is { } edge)
        {
            edge.Record(code, code is 0 or >= 500 || grpcStatus > 0, elapsed.TotalMilliseconds, state.RequestBytes, state.ResponseBytes);
        }
        else
        {
            _edges.CountDropped();
        }

        EndSpans(context, request, state, model, key);
        if (model.AccessLogEnabled && (model.AccessLogFilter is null || model.AccessLogFilter.Matches(state)))
        {
            _accessLogs.TryEnqueue(AccessLog(context, request, state, key, elapsed));
        }

        state.Completed = true;
        state.Request = null;
    }

    private SeriesKey DestinationKey(HttpContext context, TelemetryRequestFeature state, TelemetryModel model, int code, int grpcStatus, bool grpc, ResponseFlags flags)
    {
        var principal = PeerPrincipalReader.Read(context);
        var mutualTls = principal is not null || PeerPrincipalReader.IsMutualTls(context);
        state.MutualTls = mutualTls;
        state.UpstreamAuthority = context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.DestinationId;
        var source = state.HeaderPeer ?? (principal is null ? WorkloadPeer.UnknownPeer : _principalPeers.Resolve(principal));
        return new SeriesKey(
            Reporter.Destination,
            source,
            principal ?? WorkloadPeer.Unknown,
            model.Self,
            mutualTls ? model.SelfPrincipal : WorkloadPeer.Unknown,
            model.InboundService,
            grpc ? RequestProtocol.Grpc : RequestProtocol.Http,
            code,
            grpcStatus,
            flags,
            mutualTls ? SecurityPolicy.MutualTls : SecurityPolicy.None);
    }

    private static SeriesKey SourceKey(HttpContext context, RoutingResult request, TelemetryRequestFeature state, TelemetryModel model, int code, int grpcStatus, bool grpc)
    {
        var destination = WorkloadPeer.UnknownPeer;
        var destinationPrincipal = WorkloadPeer.Unknown;
        var sourcePrincipal = WorkloadPeer.Unknown;
        var service = ServiceLabels.Unknown;
        string? upstream = null;
        if (request.Cluster is { IsPassthrough: false } cluster && model.Clusters.TryGetValue(cluster.Name, out var clusterTelemetry))
        {
            service = clusterTelemetry.Service;
            if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is { } proxied)
            {
                upstream = proxied.DestinationId;
                if (clusterTelemetry.Endpoints.TryGetValue(proxied.DestinationId, out var endpoint))
                {
                    destination = endpoint.Peer;
                    destinationPrincipal = endpoint.Principal;
                    sourcePrincipal = endpoint.MutualTls ? model.SelfPrincipal : WorkloadPeer.Unknown;
                }
            }
        }
        else if (request.PassthroughAuthority is { } authority)
        {
            service = model.PassthroughService(authority);
            upstream = authority;
        }
        else if (request.Route?.Action is { } action)
        {
            // Answered before a cluster was picked (fault abort, circuit breaker): like Envoy, the
            // route's destination still names the service; no workload was reached.
            service = RouteService(action, model);
        }

        state.MutualTls = false;
        state.UpstreamAuthority = upstream;
        return new SeriesKey(
            Reporter.Source,
            model.Self,
            sourcePrincipal,
            destination,
            destinationPrincipal,
            service,
            grpc ? RequestProtocol.Grpc : RequestProtocol.Http,
            code,
            grpcStatus,
            request.Flags,
            SecurityPolicy.Unknown);
    }

    /// <summary>The service all of a route's weighted clusters belong to; unknown when they name different services.</summary>
    private static ServiceLabels RouteService(Core.Routing.RouteActionModel action, TelemetryModel model)
    {
        ServiceLabels? service = null;
        var clusters = action.Clusters.Clusters;
        for (var i = 0; i < clusters.Count; i++)
        {
            if (clusters[i].IsPassthrough || !model.Clusters.TryGetValue(clusters[i].Name, out var telemetry)
                || (service is not null && !ReferenceEquals(service, telemetry.Service)))
            {
                return ServiceLabels.Unknown;
            }

            service = telemetry.Service;
        }

        return service ?? ServiceLabels.Unknown;
    }

    private void RecordMetrics(RequestSeries series, TelemetryRequestFeature state, double milliseconds)
    {
        var labels = series.LabelsFor(IstioMetric.RequestCount, state, out var enabled);
        if (enabled)
        {
            _instruments.Requests.Add(1, labels);
        }

        labels = series.LabelsFor(IstioMetric.RequestDuration, state, out enabled);
        if (enabled)
        {
            _instruments.Duration.Record(milliseconds, labels);
        }

        labels = series.LabelsFor(IstioMetric.RequestSize, state, out enabled);
        if (enabled)
        {
            _instruments.RequestSize.Record(state.RequestBytes, labels);
        }

        labels = series.LabelsFor(IstioMetric.ResponseSize, state, out enabled);
        if (enabled)
        {
            _instruments.ResponseSize.Record(state.ResponseBytes, labels);
        }
    }

    private void EndSpans(HttpContext context, RoutingResult request, TelemetryRequestFeature state, TelemetryModel model, in SeriesKey key)
    {
        if (state.Span is { } span)
        {
            if (span.IsAllDataRequested)
            {
                span.DisplayName = SpanName(request, model, key);
                SpanTags.Apply(span, context, request, model, key, state, _nodeId);
            }

            span.Stop();
        }

        if (state.ServerSpan is { } server)
        {
            if (server.IsAllDataRequested)
            {
                SpanTags.ApplyServer(server, context, model, key);
            }

            server.Stop();
        }
    }

    private static string SpanName(RoutingResult request, TelemetryModel model, in SeriesKey key)
    {
        if (request.Listener.Kind != ListenerKind.Inbound && request.Cluster is { IsPassthrough: false } cluster
            && model.Clusters.TryGetValue(cluster.Name, out var clusterTelemetry))
        {
            return clusterTelemetry.SpanName;
        }

        return request.PassthroughAuthority is not null && key.Service != ServiceLabels.Passthrough
            ? key.Service.Service + "/*"
            : model.ListenerSpanNames[request.Listener.Index];
    }

    private static AccessLogEntry AccessLog(HttpContext context, RoutingResult request, TelemetryRequestFeature state, in SeriesKey key, TimeSpan elapsed)
    {
        var httpRequest = context.Request;
        var headers = httpRequest.Headers;
        var span = state.Span;
        return new AccessLogEntry
        {
            StartTime = state.StartedAtUtc == default ? DateTime.UtcNow - elapsed : state.StartedAtUtc,
            Method = httpRequest.Method,
            Path = httpRequest.Path.Value ?? "/",
            Query = httpRequest.QueryString.Value,
            Protocol = httpRequest.Protocol,
            ResponseCode = key.Code,
            GrpcStatus = key.GrpcStatus,
            Flags = key.Flags,
            BytesReceived = state.RequestBytes,
            BytesSent = state.ResponseBytes,
            DurationMs = elapsed.TotalMilliseconds,
            Attempts = request.Attempts,
            ForwardedFor = headers.TryGetValue("x-forwarded-for", out var forwarded) ? forwarded.ToString() : null,
            UserAgent = headers.TryGetValue("user-agent", out var userAgent) ? userAgent.ToString() : null,
            RequestId = headers.TryGetValue("x-request-id", out var requestId) ? requestId.ToString() : null,
            Authority = httpRequest.Host.Value,
            UpstreamHost = state.UpstreamAuthority,
            UpstreamCluster = request.Cluster?.Name,
            RouteName = request.Route?.Name,
            DownstreamLocalAddress = context.Connection.LocalIpAddress,
            DownstreamLocalPort = context.Connection.LocalPort,
            DownstreamRemoteAddress = context.Connection.RemoteIpAddress,
            DownstreamRemotePort = context.Connection.RemotePort,
            RequestedServerName = context.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>()?.HostName,
            Listener = request.Listener.Name,
            Reporter = key.Reporter,
            Source = key.Source,
            Destination = key.Destination,
            DestinationService = key.Service.Service,
            SecurityPolicy = key.Policy,
            TraceId = span?.TraceId ?? default,
            SpanId = span?.SpanId ?? default,
            TraceSampled = span?.Recorded ?? false,
        };
    }

    internal static bool IsGrpc(HttpRequest request) =>
        request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>grpc-status from a trailers-only response's headers, else from the trailers; -1 when there is none.</summary>
    internal static int ReadGrpcStatus(HttpContext context)
    {
        if (context.Response.Headers.TryGetValue("grpc-status", out var status)
            || (context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } trailers && trailers.TryGetValue("grpc-status", out status)))
        {
            return int.TryParse(status.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1;
        }

        return -1;
    }
}
