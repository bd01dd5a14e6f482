using System.Diagnostics;
using System.Net;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Expressions;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// Telemetry's per-request state, pooled like <see cref="RoutingResult"/>: the hop's spans,
/// the caller's peer metadata, the byte counters, and — once the request completes — the values
/// Istio expressions (access log filter, tag overrides) read.
/// </summary>
internal sealed class TelemetryRequestFeature : ICelAttributes
{
    internal CountingRequestBody RequestBody { get; } = new();

    internal CountingResponseBody ResponseBody { get; } = new();

    internal bool RequestBodyAttached { get; set; }

    internal bool ResponseBodyAttached { get; set; }

    internal Activity? Span { get; set; }

    /// <summary>A gateway's server span around <see cref="Span"/>.</summary>
    internal Activity? ServerSpan { get; set; }

    internal TraceHeaderStyle TraceStyle { get; set; }

    /// <summary>Who the caller said it is (peer metadata header), inbound only.</summary>
    internal WorkloadPeer? HeaderPeer { get; set; }

    internal DateTime StartedAtUtc { get; set; }

    /// <summary>The request observer recorded it (metrics, spans ended, access log queued).</summary>
    internal bool Completed { get; set; }

    // What expressions read, set when the request completes.
    internal HttpContext? Context { get; set; }

    internal RoutingResult? Request { get; set; }

    internal int ResponseCode { get; set; }

    internal int GrpcStatus { get; set; } = -1;

    internal TimeSpan Duration { get; set; }

    internal bool MutualTls { get; set; }

    internal string? UpstreamAuthority { get; set; }

    public long RequestBytes => RequestBodyAttached ? RequestBody.BytesRead : 0;

    public long ResponseBytes => ResponseBodyAttached ? ResponseBody.BytesWritten : 0;

    public CelValue Get(CelAttribute attribute)
    {
        var context = Context;
        if (context is null)
        {
            return CelValue.Error("no request");
        }

        var request = context.Request;
        switch (attribute)
        {
            case CelAttribute.RequestPath:
                return CelValue.String(request.QueryString.HasValue ? string.Concat(request.Path.Value, request.QueryString.Value) : request.Path.Value ?? "/");
            case CelAttribute.RequestUrlPath:
                return CelValue.String(request.Path.Value ?? "/");
            case CelAttribute.RequestHost:
                return CelValue.String(request.Host.Value ?? string.Empty);
            case CelAttribute.RequestScheme:
                return CelValue.String(request.Scheme);
            case CelAttribute.RequestMethod:
                return CelValue.String(request.Method);
            case CelAttribute.RequestHeaders:
                return CelValue.Map(request.Headers);
            case CelAttribute.RequestReferer:
                return Header(request.Headers, "referer");
            case CelAttribute.RequestUserAgent:
                return Header(request.Headers, "user-agent");
            case CelAttribute.RequestId:
                return Header(request.Headers, "x-request-id");
            case CelAttribute.RequestProtocol:
                return CelValue.String(request.Protocol);
            case CelAttribute.RequestQuery:
                return CelValue.String(request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty);
            case CelAttribute.RequestDuration:
                return CelValue.Duration(Duration);
            case CelAttribute.RequestSize:
            case CelAttribute.RequestTotalSize:
                return CelValue.Int(RequestBytes);
            case CelAttribute.ResponseCode:
                return CelValue.Int(ResponseCode);
            case CelAttribute.ResponseFlags:
                return CelValue.Int(EnvoyResponseFlags.Bits(Request?.Flags ?? ResponseFlags.None));
            case CelAttribute.ResponseGrpcStatus:
                return GrpcStatus < 0 ? CelValue.Error("no grpc status") : CelValue.Int(GrpcStatus);
            case CelAttribute.ResponseHeaders:
                return CelValue.Map(context.Response.Headers);
            case CelAttribute.ResponseTrailers:
                return context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { } trailers ? CelValue.Map(trailers) : CelValue.Error("no trailers");
            case CelAttribute.ResponseSize:
            case CelAttribute.ResponseTotalSize:
                return CelValue.Int(ResponseBytes);
            case CelAttribute.SourceAddress:
                return Address(context.Connection.RemoteIpAddress);
            case CelAttribute.SourcePort:
                return CelValue.Int(context.Connection.RemotePort);
            case CelAttribute.DestinationAddress:
                return Address(context.Connection.LocalIpAddress);
            case CelAttribute.DestinationPort:
                return CelValue.Int(context.Connection.LocalPort);
            case CelAttribute.ConnectionMtls:
                return CelValue.Bool(MutualTls);
            case CelAttribute.ConnectionRequestedServerName:
                return CelValue.String(context.Features.Get<ITlsHandshakeFeature>()?.HostName ?? string.Empty);
            case CelAttribute.UpstreamAddress:
                return UpstreamAuthority is { } authority ? CelValue.String(Core.Routing.HostHeader.Split(authority, out _).ToString()) : CelValue.Error("no upstream host");
            case CelAttribute.UpstreamPort:
                if (UpstreamAuthority is { } upstream)
                {
                    Core.Routing.HostHeader.Split(upstream, out var port);
                    return port < 0 ? CelValue.Error("no upstream port") : CelValue.Int(port);
                }

                return CelValue.Error("no upstream host");
            case CelAttribute.XdsClusterName:
                return CelValue.String(Request?.Cluster?.Name ?? string.Empty);
            case CelAttribute.XdsRouteName:
                return CelValue.String(Request?.Route?.Name ?? string.Empty);
            default:
                return CelValue.Error($"attribute {attribute} is not available");
        }
    }

    internal void Reset()
    {
        RequestBody.Detach();
        ResponseBody.Detach();
        RequestBodyAttached = false;
        ResponseBodyAttached = false;
        Span = null;
        ServerSpan = null;
        TraceStyle = TraceHeaderStyle.None;
        HeaderPeer = null;
        StartedAtUtc = default;
        Completed = false;
        Context = null;
        Request = null;
        ResponseCode = 0;
        GrpcStatus = -1;
        Duration = TimeSpan.Zero;
        MutualTls = false;
        UpstreamAuthority = null;
    }

    private static CelValue Header(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var value) && value.Count > 0 ? CelValue.String(value.ToString()) : CelValue.Error($"no {name} header");

    private static CelValue Address(IPAddress? address) => address is null ? CelValue.Error("no address") : CelValue.String(address.ToString());
}
