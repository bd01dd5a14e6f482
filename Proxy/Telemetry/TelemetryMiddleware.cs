using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.ObjectPool;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// <see cref="ProxyStage.RequestStart"/>, first stage of the proxy pipeline: starts the hop's spans (continuing the caller's W3C or B3
/// trace), takes the caller's peer metadata off inbound requests (the app never sees it), and
/// counts request and response body bytes. <see cref="TelemetryObserver"/> records the request
/// when routing completes; this stage only cleans up.
/// </summary>
internal sealed class TelemetryMiddleware
{
    private const string RequestIdHeader = "x-request-id";

    private readonly RequestDelegate _next;
    private readonly RoutingState _routing;
    private readonly TelemetryTranslator _translator;
    private readonly ProxyTracing _tracing;
    private readonly PeerMetadataHeader _peers;
    private readonly ObjectPool<TelemetryRequestFeature> _pool;

    public TelemetryMiddleware(
        RequestDelegate next,
        RoutingState routing,
        TelemetryTranslator translator,
        ProxyTracing tracing,
        PeerMetadataHeader peers,
        ObjectPool<TelemetryRequestFeature> pool)
    {
        _next = next;
        _routing = routing;
        _translator = translator;
        _tracing = tracing;
        _peers = peers;
        _pool = pool;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var listener = context.Features.Get<MeshListener>();
        if (listener is null || listener.Kind == ListenerKind.Admin)
        {
            await _next(context);
            return;
        }

        var state = _pool.Get();
        state.StartedAtUtc = DateTime.UtcNow;
        var headers = context.Request.Headers;

        // Envoy's generate_request_id: a request without an id gets one at its first proxy, and the
        // id travels with it (apps propagate it, as Bookinfo's do), so access logs and traces of
        // every hop name the same request. Costs one string only when the header is missing.
        if (!headers.ContainsKey(RequestIdHeader))
        {
            headers[RequestIdHeader] = Guid.NewGuid().ToString();
        }
        if (headers.TryGetValue(PeerMetadataHeader.Name, out var peer))
        {
            // Only a called sidecar believes it; on other listeners it is the app's (or an outsider's) word.
            if (listener.Kind == ListenerKind.Inbound && peer.Count == 1)
            {
                state.HeaderPeer = _peers.Resolve(peer[0]!);
            }

            headers.Remove(PeerMetadataHeader.Name);
        }

        AttachBodies(context, state);
        if (_tracing.IsEnabled)
        {
            var model = _routing.Current?.FeatureModels.Get<TelemetryModel>() ?? _translator.Initial;
            state.Span = _tracing.Start(context, listener, model.SamplingPercentage, model.ListenerSpanNames[listener.Index], out var server, out var style);
            state.ServerSpan = server;
            state.TraceStyle = style;
            // B3 headers the caller sent (alone or next to traceparent, which wins) must name this
            // hop's span too, or a B3-reading app would see a different parent than a W3C one.
            if (state.Span is { } span && TraceContextHeaders.B3StyleOf(headers, style) is not TraceHeaderStyle.None and var b3)
            {
                TraceContextHeaders.RewriteB3(headers, b3, span);
            }
        }

        context.Features.Set(state);
        try
        {
            await _next(context);
        }
        finally
        {
            if (!state.Completed)
            {
                // The request ended before routing recorded it (e.g. an exception): still end the spans.
                state.Span?.Stop();
                state.ServerSpan?.Stop();
            }

            DetachBodies(context, state);
            context.Features.Set<TelemetryRequestFeature>(null);
            _pool.Return(state);
        }
    }

    private static void AttachBodies(HttpContext context, TelemetryRequestFeature state)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false })
        {
            state.RequestBody.Attach(context.Request.Body);
            context.Request.Body = state.RequestBody;
            state.RequestBodyAttached = true;
        }

        if (context.Features.Get<IHttpResponseBodyFeature>() is { } responseBody)
        {
            state.ResponseBody.Attach(responseBody);
            context.Features.Set<IHttpResponseBodyFeature>(state.ResponseBody);
            state.ResponseBodyAttached = true;
        }
    }

    private static void DetachBodies(HttpContext context, TelemetryRequestFeature state)
    {
        if (state.RequestBodyAttached)
        {
            context.Request.Body = state.RequestBody.Inner;
        }

        if (state.ResponseBodyAttached && state.ResponseBody.Inner is { } inner)
        {
            context.Features.Set(inner);
        }
    }
}
