using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// A per-route stage that runs after the route matched and before the cluster is picked (fault
/// injection, CORS preflights, mirrors, redirects, direct responses...), at a route-filter stage of
/// the pipeline. Created per route at translation time (by a feature's translator, or an
/// <c>IRouteFilterFactory</c>), so routes without the feature pay nothing.
/// </summary>
public interface IRouteFilter
{
    /// <summary>Returns false when the filter has produced the response and the request must not be forwarded.</summary>
    ValueTask<bool> OnRequestAsync(HttpContext context, RoutingResult request);
}
