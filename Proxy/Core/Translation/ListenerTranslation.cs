using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// How each listener finds its virtual hosts under one snapshot. Core fills in the sidecar's
/// listeners (inbound, outbound bindings, HTTP_PROXY); a feature that serves other listeners (the
/// Gateway feature: gateway listeners) sets their routes, usually with an <c>IVirtualHostSelector</c>.
/// </summary>
public sealed class ListenerTranslation
{
    private readonly ListenerRoutes?[] _routes;

    internal ListenerTranslation(ListenerSet listeners, MeshProxyMode mode, IReadOnlyList<ParsedVirtualHost> virtualHosts, TranslationErrors errors)
    {
        Listeners = listeners;
        Mode = mode;
        VirtualHosts = virtualHosts;
        Errors = errors;
        _routes = new ListenerRoutes?[listeners.All.Count];
    }

    public ListenerSet Listeners { get; }

    public MeshProxyMode Mode { get; }

    /// <summary>The snapshot's virtual hosts with their parsed domains, in snapshot order.</summary>
    public IReadOnlyList<ParsedVirtualHost> VirtualHosts { get; }

    public TranslationErrors Errors { get; }

    public ListenerRoutes? RoutesOf(MeshListener listener) => _routes[listener.Index];

    /// <summary>Sets the routes of <see cref="ListenerRoutes.Listener"/> (replacing any).</summary>
    public void SetRoutes(ListenerRoutes routes) => _routes[routes.Listener.Index] = routes;

    /// <summary>Every listener's routes: listeners nobody routes get empty ones (admin; a gateway listener without the Gateway feature is an error).</summary>
    internal ListenerRoutes[] Build()
    {
        var result = new ListenerRoutes[_routes.Length];
        foreach (var listener in Listeners.All)
        {
            if (_routes[listener.Index] is null && listener.Kind == ListenerKind.Gateway)
            {
                Errors.Add($"listeners ({listener.Name})", "no feature of this proxy serves gateway listeners (register the Gateway feature)");
            }

            result[listener.Index] = _routes[listener.Index] ?? new ListenerRoutes(listener);
        }

        return result;
    }
}

/// <summary>A snapshot virtual host as translated, with its domains parsed (for building host tables).</summary>
public sealed record ParsedVirtualHost(int Index, VirtualHostModel Model, IReadOnlyList<DomainName> Domains);
