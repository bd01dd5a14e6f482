using System.Net;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// Explains one request on the proxy's current routing model: the routing stage's own resolution
/// (<see cref="VirtualHostResolver"/>, <see cref="RouteMatchModel.FirstMismatch"/>), then the
/// features' <see cref="IRequestExplainer"/>s and the route's <see cref="IExplainableRouteFilter"/>s in
/// pipeline order, with Core's router (weighted clusters, timeout, retries) and the endpoints the
/// load balancer may pick. Nothing is forwarded; real requests never reach this code.
/// </summary>
internal sealed class RequestExplainerEngine
{
    private readonly RoutingState _routing;
    private readonly ListenerSet _listeners;
    private readonly WorkloadIdentityState _identity;
    private readonly IServiceProvider _services;
    private readonly IRequestExplainer[] _explainers;

    public RequestExplainerEngine(RoutingState routing, ListenerSet listeners, WorkloadIdentityState identity, IServiceProvider services, IEnumerable<IRequestExplainer> explainers)
    {
        _routing = routing;
        _listeners = listeners;
        _identity = identity;
        _services = services;
        _explainers = [.. explainers.OrderBy(e => e.Stage)];
    }

    public async Task<ExplainContext> ExplainAsync(ExplainRequest input)
    {
        var model = _routing.Current;
        var listener = FindListener(input) ?? throw new ExplainInputException(NoListener(input));
        var context = BuildHttpContext(input, listener);
        var routing = new RoutingResult { Listener = listener, Model = model };
        context.Features.Set(routing);
        var explain = new ExplainContext(context, routing);
        explain.Set("listener", listener.Name);
        explain.Set("direction", input.Inbound ? "inbound" : "outbound");
        if (model is null)
        {
            explain.Add(new ExplainStep(nameof(ProxyStage.Routing), "no configuration", "the proxy has applied no snapshot yet"));
            explain.End(StatusCodes.Status503ServiceUnavailable, "no mesh configuration received yet (NC)");
            return explain;
        }

        explain.Set("snapshot_version", model.Version);
        ExplainRouting(explain, model, listener);
        await RunExplainersAsync(explain, e => e.Stage < ProxyStage.Fault);
        if (!explain.Ended && routing.Route is { } route)
        {
            foreach (var filter in route.Filters)
            {
                if (filter is IExplainableRouteFilter explainable)
                {
                    explainable.Explain(explain);
                }
                else
                {
                    explain.Add(new ExplainStep("RouteExtensions", "runs", $"route filter {filter.GetType().Name} (it does not explain itself)"));
                }

                if (explain.Ended)
                {
                    return explain;
                }
            }
        }

        await RunExplainersAsync(explain, e => e.Stage is >= ProxyStage.Fault and < ProxyStage.Router);
        if (explain.Ended)
        {
            return explain;
        }

        // The weighted pick is random unless one cluster has all the weight: then every candidate's
        // attempt is explained (connection pool, load balancing, upstream TLS, endpoints).
        var candidates = RouterExplanation.Explain(explain);
        foreach (var cluster in candidates)
        {
            routing.Cluster = cluster;
            await RunExplainersAsync(explain, e => e.Stage > ProxyStage.Router);
            if (!explain.Ended && EndpointExplanation.Explain(explain, cluster) == 0 && candidates.Count == 1)
            {
                explain.End(StatusCodes.Status503ServiceUnavailable, "no healthy upstream (UH)");
            }
        }

        routing.Cluster = candidates.Count == 1 ? candidates[0] : null;
        return explain;
    }

    private async Task RunExplainersAsync(ExplainContext explain, Func<IRequestExplainer, bool> which)
    {
        foreach (var explainer in _explainers)
        {
            if (explain.Ended)
            {
                return;
            }

            if (which(explainer))
            {
                await explainer.ExplainAsync(explain);
            }
        }
    }

    private static void ExplainRouting(ExplainContext explain, RoutingModel model, MeshListener listener)
    {
        var context = explain.HttpContext;
        var routes = model.Listeners[listener.Index];
        var resolution = VirtualHostResolver.Resolve(context, routes, listener, out var virtualHost, out var unknownAuthority);
        explain.Routing.VirtualHost = virtualHost;
        explain.Set("virtual_host", virtualHost?.Name);
        var stage = nameof(ProxyStage.Routing);
        switch (resolution)
        {
            case VirtualHostResolution.Inbound:
                explain.Routing.Cluster = routes.InboundCluster;
                explain.Set("cluster", routes.InboundCluster!.Name);
                explain.Add(new ExplainStep(stage, "inbound", $"listener {listener.Name} forwards to the local app ({routes.InboundCluster.Name}); inbound listeners have no routes"));
                return;
            case VirtualHostResolution.Answered:
                explain.Add(new ExplainStep(stage, "answered", $"the listener's virtual host selection answered the request itself (status {context.Response.StatusCode}, e.g. an https redirect)"));
                explain.End(context.Response.StatusCode, "answered while selecting the virtual host");
                return;
            case VirtualHostResolution.CloseConnection:
                explain.Add(new ExplainStep(stage, "connection closed", "the server this request reaches requires what the connection lacks (e.g. a client certificate)"));
                explain.End(0, "connection closed");
                return;
            case VirtualHostResolution.NotFound:
                explain.Add(new ExplainStep(stage, "no virtual host", $"no virtual host of listener {listener.Name} serves '{context.Request.Host.Value}'"));
                explain.End(StatusCodes.Status404NotFound, "no route (NR)");
                return;
            case VirtualHostResolution.UnknownHost:
                var unknown = model.RegistryOnly
                    ? new ExplainStep(stage, "BlackHoleCluster", $"'{unknownAuthority}' is unknown to the mesh and outboundTrafficPolicy is REGISTRY_ONLY")
                    : new ExplainStep(stage, "PassthroughCluster", $"'{unknownAuthority}' is unknown to the mesh; ALLOW_ANY forwards it as addressed");
                explain.Add(unknown);
                explain.Set("cluster", unknown.Verdict);
                explain.End(model.RegistryOnly ? StatusCodes.Status502BadGateway : 0, model.RegistryOnly ? "BlackHoleCluster (NR)" : "passed through to " + unknownAuthority);
                return;
        }

        var items = new List<ExplainItem>();
        HttpRouteModel? chosen = null;
        foreach (var route in virtualHost!.Routes)
        {
            items.Add(RouteMatchText.Describe(route, context.Request, virtualHost.Port, out var matched));
            if (matched)
            {
                chosen = route;
                break;
            }
        }

        // The explanation and the request path must agree: FindRoute is what the routing stage calls.
        var found = virtualHost.FindRoute(context.Request);
        if (!ReferenceEquals(found, chosen))
        {
            throw new InvalidOperationException($"explain chose route '{chosen?.Name}' but routing finds '{found?.Name}'");
        }

        if (chosen is null)
        {
            explain.Add(new ExplainStep(stage, "no route", $"virtual host {virtualHost.Name}: none of its {virtualHost.Routes.Length} routes matches") { Items = items });
            explain.End(StatusCodes.Status404NotFound, "no route (NR)");
            return;
        }

        explain.Routing.Route = chosen;
        explain.Set("route", chosen.Name);
        explain.Set("virtual_service", chosen.VirtualService);
        explain.Add(new ExplainStep(stage, "matched", $"virtual host {virtualHost.Name} (listener {listener.Name}): route {chosen.Name}{(chosen.VirtualService is { } vs ? $" of VirtualService {vs}" : "")} is the first that matches") { Items = items });
    }

    private MeshListener? FindListener(ExplainRequest input)
    {
        var host = input.Url.Host;
        var port = input.Url.Port;
        if (input.Inbound)
        {
            var inbound = _listeners.OfKind(ListenerKind.Inbound).ToList();
            return inbound.FirstOrDefault(l => l.ServicePort == port || l.BoundPort == port) ?? (inbound.Count == 1 && input.Url.IsDefaultPort ? inbound[0] : null);
        }

        return _listeners.OfKind(ListenerKind.Outbound).FirstOrDefault(l => string.Equals(l.UpstreamHost, host, StringComparison.OrdinalIgnoreCase) && (l.UpstreamPort == port || l.UpstreamPort == 0 || input.Url.IsDefaultPort))
            ?? _listeners.OfKind(ListenerKind.HttpProxy).FirstOrDefault()
            ?? _listeners.OfKind(ListenerKind.Gateway).FirstOrDefault(l => l.BoundPort == port || l.GatewayPorts.Contains(port))
            ?? (input.Url.IsDefaultPort ? _listeners.OfKind(ListenerKind.Gateway).FirstOrDefault() : null);
    }

    private string NoListener(ExplainRequest input)
    {
        var kind = input.Inbound ? ListenerKind.Inbound : ListenerKind.Outbound;
        var known = _listeners.All.Where(l => l.Kind is ListenerKind.Outbound or ListenerKind.Inbound or ListenerKind.Gateway or ListenerKind.HttpProxy)
            .Select(l => l.Kind switch
            {
                ListenerKind.Outbound => $"{l.UpstreamHost}:{l.UpstreamPort} (outbound)",
                ListenerKind.Inbound => $"port {l.ServicePort} (inbound)",
                _ => $"port {l.BoundPort} ({l.Kind.ToString().ToLowerInvariant()})",
            });
        return $"no {kind.ToString().ToLowerInvariant()} listener of this proxy serves {input.Url.Host}:{input.Url.Port}; it has: {string.Join(", ", known)}";
    }

    private DefaultHttpContext BuildHttpContext(ExplainRequest input, MeshListener listener)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        var request = context.Request;
        request.Method = input.Method;
        request.Scheme = input.Url.Scheme;
        request.Host = new HostString(input.Url.IsDefaultPort && listener.Kind != ListenerKind.Outbound ? input.Url.Host : input.Url.Authority);
        request.Path = PathString.FromUriComponent(input.Url.AbsolutePath);
        request.QueryString = QueryString.FromUriComponent(input.Url.Query);
        foreach (var (name, value) in input.Headers)
        {
            if (name == "host")
            {
                request.Host = new HostString(value);
            }
            else
            {
                request.Headers.Append(name, value);
            }
        }

        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.LocalIpAddress = listener.BindAddress;
        context.Connection.LocalPort = listener.BoundPort;
        context.Features.Set(listener);
        if (input.Inbound && input.SourcePrincipal is { Length: > 0 } principal && _identity.Certificate is { } own)
        {
            var uri = principal.StartsWith("spiffe://", StringComparison.Ordinal) ? principal : "spiffe://" + principal;
            var peer = SpiffeIdentity.Parse(uri) ?? throw new ExplainInputException($"source_principal: '{principal}' is not a SPIFFE identity");

            // The peer's certificate is not at hand: only the x-forwarded-client-cert hash would use it.
            context.Features.Set(new MeshPeerIdentityFeature(peer, own.Leaf, own.Identity, null));
        }

        return context;
    }
}
