using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// Finds the virtual host of a request on a listener a feature routes for (a gateway listener:
/// virtual hosts per Gateway server, chosen by SNI and Host). Built per snapshot by that feature's
/// translator and carried by <see cref="ListenerRoutes.Selector"/>; the routing stage calls it
/// instead of its own host lookup. Runs once per request: no allocation, no blocking.
/// </summary>
public interface IVirtualHostSelector
{
    /// <summary>
    /// The virtual host for the request, or why there is none. <see cref="VirtualHostSelection.Answered"/>
    /// means the selector wrote the response itself (e.g. an https redirect) and the request goes no further.
    /// </summary>
    VirtualHostSelection Select(HttpContext context, out VirtualHostModel? virtualHost);
}

/// <summary>The outcome of <see cref="IVirtualHostSelector.Select"/>.</summary>
public enum VirtualHostSelection
{
    /// <summary>A virtual host was found; the routing stage matches its routes.</summary>
    Found,

    /// <summary>No virtual host serves the request: 404 with flag NR.</summary>
    NotFound,

    /// <summary>The selector answered the request (the virtual host, when known, is reported).</summary>
    Answered,

    /// <summary>The connection must be closed without a response (e.g. it lacks a client certificate its server now requires).</summary>
    CloseConnection,
}
