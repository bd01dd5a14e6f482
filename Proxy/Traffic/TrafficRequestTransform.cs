using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.Headers;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// <see cref="ProxyStage.UpstreamRequestHeaders"/>: per attempt, on the request YARP sends upstream: the picked destination's header operations,
/// then the route's (so route-level <c>set</c> wins, as in Envoy), the <c>rewrite</c> of path and
/// authority (the original path kept in <c>x-envoy-original-path</c>), and <c>Connection: close</c>
/// when the cluster allows one request per connection. The caller's HttpContext is left untouched,
/// so telemetry sees the request as it arrived.
/// </summary>
internal sealed class TrafficRequestTransform : RequestTransform
{
    private const string OriginalPathHeader = "x-envoy-original-path";

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var request = context.HttpContext.Features.Get<RoutingResult>();
        if (request is null)
        {
            return default;
        }

        if (request.Route is { } route && route.FeatureModels.Get<RouteHeadersModel>() is { } traffic)
        {
            traffic.ForCluster(request.Cluster)?.Request?.ApplyTo(context);
            traffic.RequestHeaders?.ApplyTo(context);
            if (traffic.Rewrite is { } rewrite)
            {
                if (rewrite.RewritesPath)
                {
                    var original = context.Path.Value ?? "/";
                    var rewritten = rewrite.RewritePath(original, route, context.HttpContext.Request, request.VirtualHost?.Port ?? 0);
                    if (!string.Equals(rewritten, original, StringComparison.Ordinal))
                    {
                        RequestTransform.RemoveHeader(context, OriginalPathHeader);
                        RequestTransform.AddHeader(context, OriginalPathHeader, original);
                        context.Path = new PathString(rewritten.StartsWith('/') ? rewritten : "/" + rewritten);
                    }
                }

                if (rewrite.Authority is { } authority)
                {
                    context.ProxyRequest.Headers.Host = authority;
                }
            }
        }

        if (request.Cluster?.FeatureModels.Get<ClusterCircuitBreaker>()?.Limits is { MaxRequestsPerConnection: 1, Http1: true })
        {
            // One request per connection: the upstream closes it after this response.
            context.ProxyRequest.Headers.ConnectionClose = true;
        }

        return default;
    }
}
