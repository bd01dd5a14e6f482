using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// A per-route stage that runs after the route matched and before the cluster is picked
/// (fault injection, redirects, direct responses, CORS, header operations, rewrites...).
/// Created per route by an <see cref="IRouteFilterFactory"/> at translation time, so routes
/// without the feature pay nothing.
/// </summary>
public interface IRouteFilter
{
    /// <summary>Returns false when the filter has produced the response and the request must not be forwarded.</summary>
    ValueTask<bool> OnRequestAsync(HttpContext context, MeshRequestFeature request);
}
