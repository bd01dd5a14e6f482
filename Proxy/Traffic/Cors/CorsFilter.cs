using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.Cors;

/// <summary>
/// Answers CORS preflights for a route with a <c>corsPolicy</c> (Envoy's CORS filter, decode side).
/// The response side of actual requests is added by <see cref="TrafficResponseTransform"/>.
/// </summary>
internal sealed class CorsFilter(CorsPolicyModel policy) : IRouteFilter
{
    public ValueTask<bool> OnRequestAsync(HttpContext context, RoutingResult request)
    {
        var http = context.Request;
        var origin = http.Headers.Origin;
        if (origin.Count == 0 || string.IsNullOrEmpty(origin[0]) || !CorsPolicyModel.IsPreflight(http))
        {
            return ValueTask.FromResult(true);
        }

        var allowed = policy.IsOriginAllowed(origin[0]);
        if (!allowed && policy.ForwardUnmatchedPreflights)
        {
            return ValueTask.FromResult(true);
        }

        policy.WritePreflight(http, context.Response, allowed);
        return ValueTask.FromResult(false);
    }
}
