using System.Diagnostics;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// First stage of the YARP pipeline: listener → virtual host → first matching route → route
/// admissions (<see cref="IRequestAdmission"/>) → filters → weighted cluster, then hands the request to YARP's load balancer and forwarder for
/// that cluster (<c>ReassignProxyRequest</c>). Reads the routing model once per request.
/// </summary>
internal sealed partial class MeshRoutingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RoutingState _routing;
    private readonly ObjectPool<MeshRequestFeature> _pool;
    private readonly IMeshRequestObserver[] _observers;
    private readonly PassthroughForwarder _passthrough;
    private readonly ListenerSet _listeners;
    private readonly IRequestAdmission[] _admissions;
    private readonly ILogger _logger;

    public MeshRoutingMiddleware(
        RequestDelegate next,
        RoutingState routing,
        ObjectPool<MeshRequestFeature> pool,
        IEnumerable<IMeshRequestObserver> observers,
        PassthroughForwarder passthrough,
        ListenerSet listeners,
        IEnumerable<IRequestAdmission> admissions,
        ILogger<MeshRoutingMiddleware> logger)
    {
        _next = next;
        _routing = routing;
        _pool = pool;
        _observers = [.. observers];
        _passthrough = passthrough;
        _listeners = listeners;
        _admissions = [.. admissions];
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
            if (request.SingleAttemptPending && context.Features.Get<IForwarderErrorFeature>() is { } error)
            {
                await UpstreamRequestMiddleware.ReportFailureAsync(context, request, ForwarderErrorClassifier.Classify(error), context.RequestAborted);
            }
        }
        finally
        {
            NotifyObservers(context, request);
            context.Features.Set<MeshRequestFeature>(null);
            _pool.Return(request);
        }
    }

    private Task RouteAsync(HttpContext context, MeshRequestFeature request, MeshListener listener)
    {
        var model = _routing.Current;
        request.Model = model;
        if (model is null)
        {
            return LocalReply.NotConfigured(context, request);
        }

        var routes = model.Listeners[listener.Index];
        VirtualHostModel? virtualHost;
        switch (listener.Kind)
        {
            case ListenerKind.Inbound:
                return ForwardAsync(context, request, routes.InboundCluster!, routes);

            case ListenerKind.Outbound:
                virtualHost = routes.BoundVirtualHost;
                if (virtualHost is null)
                {
                    return UnknownHostAsync(context, request, model, routes.PassthroughAuthority!);
                }

                break;

            case ListenerKind.Gateway:
                virtualHost = GatewayHostResolver.Find(context, routes, out var abort);
                if (virtualHost is null)
                {
                    if (abort)
                    {
                        context.Abort();
                        return Task.CompletedTask;
                    }

                    return LocalReply.NoRoute(context, request);
                }

                if (virtualHost.RequireTls && !context.Request.IsHttps)
                {
                    request.VirtualHost = virtualHost;
                    return HttpsRedirectReply.WriteAsync(context, routes.Gateway!);
                }

                break;

            default:
                var authority = context.Request.Host.Value;
                var host = HostHeader.Split(authority, out var port);
                virtualHost = routes.HostsByPort!.TryGetValue(port < 0 ? 80 : port, out var table) ? table.Find(host) : null;
                if (virtualHost is null)
                {
                    return string.IsNullOrEmpty(authority)
                        ? LocalReply.NoRoute(context, request)
                        : UnknownHostAsync(context, request, model, authority);
                }

                break;
        }

        request.VirtualHost = virtualHost;
        var route = virtualHost.FindRoute(context.Request);
        if (route is null)
        {
            return LocalReply.NoRoute(context, request);
        }

        request.Route = route;
        if (_admissions.Length > 0 && NeedsAdmission(request))
        {
            return AdmitAsync(context, request, route, routes);
        }

        return route.Filters.Length == 0 && route.Action is { } action
            ? ForwardAsync(context, request, action.Clusters.Pick(), routes)
            : RunFiltersAsync(context, request, route, routes);
    }

    private bool NeedsAdmission(MeshRequestFeature request)
    {
        foreach (var admission in _admissions)
        {
            if (admission.AppliesTo(request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Admission checks (e.g. a gateway's JWT and authorization) before the route's filters run.</summary>
    private async Task AdmitAsync(HttpContext context, MeshRequestFeature request, HttpRouteModel route, ListenerRoutes routes)
    {
        foreach (var admission in _admissions)
        {
            if (admission.AppliesTo(request) && !await admission.AdmitAsync(context, request))
            {
                return;
            }
        }

        await (route.Filters.Length == 0 && route.Action is { } action
            ? ForwardAsync(context, request, action.Clusters.Pick(), routes)
            : RunFiltersAsync(context, request, route, routes));
    }

    private async Task RunFiltersAsync(HttpContext context, MeshRequestFeature request, HttpRouteModel route, ListenerRoutes routes)
    {
        foreach (var filter in route.Filters)
        {
            if (!await filter.OnRequestAsync(context, request))
            {
                return;
            }
        }

        if (route.Action is not { } action)
        {
            // A redirect or direct response route whose reply filter did not answer: nothing to forward to.
            await LocalReply.NoRoute(context, request);
            return;
        }

        await ForwardAsync(context, request, action.Clusters.Pick(), routes);
    }

    private Task ForwardAsync(HttpContext context, MeshRequestFeature request, UpstreamCluster cluster, ListenerRoutes routes)
    {
        request.Cluster = cluster;
        if (cluster.IsPassthrough)
        {
            var authority = routes.PassthroughAuthority ?? context.Request.Host.Value;
            return string.IsNullOrEmpty(authority) || IsOwnListener(authority)
                ? LocalReply.NoRoute(context, request)
                : _passthrough.ForwardAsync(context, request, authority);
        }

        var state = cluster.State;
        if (state.DestinationsState.AvailableDestinations.Count == 0)
        {
            return LocalReply.NoHealthyUpstream(context, request);
        }

        context.ReassignProxyRequest(state);
        return _next(context);
    }

    private Task UnknownHostAsync(HttpContext context, MeshRequestFeature request, RoutingModel model, string authority)
    {
        if (model.RegistryOnly)
        {
            return LocalReply.BlackHole(context, request);
        }

        if (IsOwnListener(authority))
        {
            // Forwarding to ourselves would loop until sockets run out.
            Log.PassthroughLoop(_logger, authority);
            return LocalReply.NoRoute(context, request);
        }

        return _passthrough.ForwardAsync(context, request, authority);
    }

    private bool IsOwnListener(string authority)
    {
        var host = HostHeader.Split(authority, out var port);
        if (port < 0)
        {
            return false;
        }

        var isLocalName = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        System.Net.IPAddress? address = null;
        if (!isLocalName && !System.Net.IPAddress.TryParse(host.Trim("[]"), out address))
        {
            return false;
        }

        foreach (var listener in _listeners.All)
        {
            if (listener.BoundPort == port
                && (isLocalName || System.Net.IPAddress.IsLoopback(address!) || listener.BindAddress.Equals(address)))
            {
                return true;
            }
        }

        return false;
    }

    private void NotifyObservers(HttpContext context, MeshRequestFeature request)
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
