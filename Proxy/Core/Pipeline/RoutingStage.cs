using System.Diagnostics;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// <see cref="ProxyStage.Routing"/>, the connection manager's part (Envoy's HCM with its route
/// table): owns the request's <see cref="RoutingResult"/> from start to end, resolves listener →
/// virtual host → first matching route, and answers requests that route nowhere. The stages after
/// it run through <c>next</c>; when they return, the router maps a failure it deferred
/// (<see cref="RouterStage.CompleteAsync"/>) and the observers of <see cref="ProxyStage.Completed"/> run.
/// Reads the routing model once per request.
/// </summary>
internal sealed partial class RoutingStage
{
    private readonly RequestDelegate _next;
    private readonly RoutingState _routing;
    private readonly ObjectPool<RoutingResult> _pool;
    private readonly IMeshRequestObserver[] _observers;
    private readonly PassthroughForwarder _passthrough;
    private readonly ListenerSet _listeners;
    private readonly ILogger _logger;

    public RoutingStage(
        RequestDelegate next,
        RoutingState routing,
        ObjectPool<RoutingResult> pool,
        IEnumerable<IMeshRequestObserver> observers,
        PassthroughForwarder passthrough,
        ListenerSet listeners,
        ILogger<RoutingStage> logger)
    {
        _next = next;
        _routing = routing;
        _pool = pool;
        _observers = [.. observers];
        _passthrough = passthrough;
        _listeners = listeners;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var listener = context.Features.Get<MeshListener>();
        if (listener is null || listener.Kind == ListenerKind.Admin)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var request = _pool.Get();
        request.Listener = listener;
        request.StartTimestamp = Stopwatch.GetTimestamp();
        request.CallerAborted = context.RequestAborted;
        context.Features.Set(request);
        try
        {
            await RouteAsync(context, request, listener);
            await RouterStage.CompleteAsync(context, request);
        }
        finally
        {
            NotifyObservers(context, request);
            context.Features.Set<RoutingResult>(null);
            _pool.Return(request);
        }
    }

    private Task RouteAsync(HttpContext context, RoutingResult request, MeshListener listener)
    {
        var model = _routing.Current;
        request.Model = model;
        if (model is null)
        {
            return LocalReply.NotConfigured(context, request);
        }

        var routes = model.Listeners[listener.Index];
        var resolution = VirtualHostResolver.Resolve(context, routes, listener, out var virtualHost, out var unknownAuthority);
        request.VirtualHost = virtualHost;
        switch (resolution)
        {
            case VirtualHostResolution.Inbound:
                // Inbound: no routes, the local app's cluster (Istio's inbound|port|| route).
                request.Cluster = routes.InboundCluster;
                return _next(context);
            case VirtualHostResolution.Answered:
                return Task.CompletedTask;
            case VirtualHostResolution.CloseConnection:
                context.Abort();
                return Task.CompletedTask;
            case VirtualHostResolution.NotFound:
                return LocalReply.NoRoute(context, request);
            case VirtualHostResolution.UnknownHost:
                return UnknownHostAsync(context, request, model, unknownAuthority!);
        }

        var route = virtualHost!.FindRoute(context.Request);
        if (route is null)
        {
            return LocalReply.NoRoute(context, request);
        }

        request.Route = route;
        return _next(context);
    }

    /// <summary>No virtual host knows the authority: Envoy's BlackHoleCluster (REGISTRY_ONLY) or PassthroughCluster (ALLOW_ANY).</summary>
    private Task UnknownHostAsync(HttpContext context, RoutingResult request, RoutingModel model, string authority)
    {
        if (model.RegistryOnly)
        {
            return LocalReply.BlackHole(context, request);
        }

        if (PassthroughLoopGuard.IsOwnListener(_listeners, authority))
        {
            // Forwarding to ourselves would loop until sockets run out.
            Log.PassthroughLoop(_logger, authority);
            return LocalReply.NoRoute(context, request);
        }

        return _passthrough.ForwardAsync(context, request, authority);
    }

    private void NotifyObservers(HttpContext context, RoutingResult request)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnRequestCompleted(context, request);
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, observer.GetType().Name, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refusing to pass through to {Authority}: it is one of this proxy's own listeners.")]
        public static partial void PassthroughLoop(ILogger logger, string authority);

        [LoggerMessage(2, LogLevel.Warning, "Request observer {Observer} failed.")]
        public static partial void ObserverFailed(ILogger logger, string observer, Exception exception);
    }
}
