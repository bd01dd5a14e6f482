using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Listener → virtual host, as the routing stage resolves it (Envoy's HCM route table lookup). One
/// place for the request path and for explanations (<c>POST /explain</c>), so both decide alike.
/// </summary>
internal static class VirtualHostResolver
{
    public static VirtualHostResolution Resolve(HttpContext context, ListenerRoutes routes, MeshListener listener, out VirtualHostModel? virtualHost, out string? unknownAuthority)
    {
        virtualHost = null;
        unknownAuthority = null;
        if (routes.InboundCluster is not null)
        {
            return VirtualHostResolution.Inbound;
        }

        if (routes.Selector is { } selector)
        {
            return selector.Select(context, out virtualHost) switch
            {
                VirtualHostSelection.Answered => VirtualHostResolution.Answered,
                VirtualHostSelection.CloseConnection => VirtualHostResolution.CloseConnection,
                VirtualHostSelection.NotFound => VirtualHostResolution.NotFound,
                _ => VirtualHostResolution.Found,
            };
        }

        if (listener.Kind == ListenerKind.Outbound)
        {
            virtualHost = routes.BoundVirtualHost;
            unknownAuthority = virtualHost is null ? routes.PassthroughAuthority : null;
            return virtualHost is null ? VirtualHostResolution.UnknownHost : VirtualHostResolution.Found;
        }

        if (listener.Kind == ListenerKind.OutboundCapture)
        {
            return ResolveCaptured(context, routes, out virtualHost, out unknownAuthority);
        }

        if (listener.Kind == ListenerKind.HttpProxy)
        {
            var authority = context.Request.Host.Value;
            var host = HostHeader.Split(authority, out var port);
            virtualHost = routes.HostsByPort?.TryGetValue(port < 0 ? 80 : port, out var table) == true ? table.Find(host) : null;
            if (virtualHost is not null)
            {
                return VirtualHostResolution.Found;
            }

            if (string.IsNullOrEmpty(authority))
            {
                return VirtualHostResolution.NotFound;
            }

            unknownAuthority = authority;
            return VirtualHostResolution.UnknownHost;
        }

        return VirtualHostResolution.NotFound;
    }

    // A captured HTTP connection (docs/capture.md): the original destination's port selects the
    // table and the Host header the virtual host, as Envoy's 0.0.0.0:<port> route table does; a
    // Host that names no service there (an IP, say) is the service the destination address is.
    // Unknown to the mesh: the original destination, never the Host, is where it passes through to.
    private static VirtualHostResolution ResolveCaptured(HttpContext context, ListenerRoutes routes, out VirtualHostModel? virtualHost, out string? unknownAuthority)
    {
        virtualHost = null;
        unknownAuthority = null;
        if (context.Features.Get<OriginalDestination>() is not { } destination)
        {
            return VirtualHostResolution.NotFound;
        }

        var port = destination.EndPoint.Port;
        if (routes.HostsByPort?.TryGetValue(port, out var table) == true)
        {
            virtualHost = table.Find(HostHeader.Split(context.Request.Host.Value, out _));
            if (virtualHost is null && routes.Capture?.Find(destination.EndPoint)?.Host is { } host)
            {
                virtualHost = table.Find(host);
            }
        }

        if (virtualHost is not null)
        {
            return VirtualHostResolution.Found;
        }

        unknownAuthority = destination.EndPoint.ToString();
        return VirtualHostResolution.UnknownHost;
    }
}

/// <summary>The outcome of <see cref="VirtualHostResolver.Resolve"/>.</summary>
internal enum VirtualHostResolution
{
    /// <summary>A virtual host serves the request: its routes are matched next.</summary>
    Found,

    /// <summary>An inbound listener: no routes, the local app's cluster.</summary>
    Inbound,

    /// <summary>No virtual host: 404 NR.</summary>
    NotFound,

    /// <summary>A host unknown to the mesh: BlackHoleCluster (REGISTRY_ONLY) or PassthroughCluster (ALLOW_ANY).</summary>
    UnknownHost,

    /// <summary>The listener's selector answered the request itself (e.g. an https redirect).</summary>
    Answered,

    /// <summary>The connection must be closed without a response.</summary>
    CloseConnection,
}
