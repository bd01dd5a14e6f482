using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.Cors;

/// <summary>
/// Answers CORS preflights for a route with a <c>corsPolicy</c> (Envoy's CORS filter, decode side).
/// The response side of actual requests is added by <see cref="TrafficResponseTransform"/>.
/// </summary>
internal sealed class CorsFilter(CorsPolicyModel policy) : IRouteFilter, IExplainableRouteFilter
{
    /// <summary>A preflight is answered here (allowed or not); other requests only get CORS response headers.</summary>
    public void Explain(ExplainContext context)
    {
        var http = context.HttpContext.Request;
        var origin = http.Headers.Origin;
        if (origin.Count == 0 || string.IsNullOrEmpty(origin[0]) || !CorsPolicyModel.IsPreflight(http))
        {
            context.Add(new ExplainStep("Cors", "not a preflight", "the route has a corsPolicy; the response gets its CORS headers"));
            return;
        }

        var allowed = policy.IsOriginAllowed(origin[0]);
        if (!allowed && policy.ForwardUnmatchedPreflights)
        {
            context.Add(new ExplainStep("Cors", "forwarded", $"origin {origin[0]} is not allowed and unmatchedPreflights is FORWARD"));
            return;
        }

        context.Add(new ExplainStep("Cors", allowed ? "preflight allowed" : "preflight refused", $"origin {origin[0]}: the proxy answers the preflight itself"));
        context.End(StatusCodes.Status200OK, allowed ? "CORS preflight answered" : "CORS preflight refused");
    }

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
