using System.Globalization;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Common;
using Mesh.Proxy.Traffic.Cors;
using Mesh.Proxy.Traffic.Headers;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.OutlierDetection;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// <see cref="ProxyStage.UpstreamResponseHeaders"/>: per attempt, when upstream response headers arrive (before the caller sees them): counts the
/// status for outlier detection, sets a generated consistent-hash cookie, and applies the
/// destination's and the route's response header operations and the CORS response headers.
/// </summary>
internal sealed class TrafficResponseTransform(OutlierDetector outliers) : ResponseTransform
{
    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.ProxyResponse;
        var http = context.HttpContext;
        var request = response is null ? null : http.Features.Get<RoutingResult>();
        if (request is null)
        {
            return default;
        }

        if (request.Cluster is { } cluster)
        {
            var models = cluster.FeatureModels;
            if (models.Get<ClusterOutlierDetection>() is { Model.Enabled: true } detection && ProxiedDestination(http) is { } destination
                && StatusForOutlierDetection(response!) is var status and > 0)
            {
                outliers.ReportResponse(cluster, detection, destination, status);
            }

            if (models.Get<ConsistentHashModel>() is { } hash && GeneratedHashCookie.Find(http) is { } cookie)
            {
                http.Response.Headers.Append("set-cookie", SetCookie(hash.Name, cookie.Value, hash.CookiePath, hash.CookieTtl));
            }
        }

        if (request.Route is { } route)
        {
            var headers = http.Response.Headers;
            if (route.FeatureModels.Get<RouteHeadersModel>() is { } traffic)
            {
                traffic.ForCluster(request.Cluster)?.Response?.ApplyTo(headers);
                traffic.ResponseHeaders?.ApplyTo(headers);
            }

            route.FeatureModels.Get<CorsPolicyModel>()?.ApplyToResponse(http.Request, headers);
        }

        return default;
    }

    internal static DestinationState? ProxiedDestination(HttpContext context)
        => context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination;

    /// <summary>
    /// The HTTP status outlier detection judges: a trailers-only gRPC error counts as its mapped
    /// HTTP status; a gRPC response whose status comes in trailers is judged there (0: not now).
    /// </summary>
    private static int StatusForOutlierDetection(HttpResponseMessage response)
    {
        if (response.Headers.NonValidated.TryGetValues("grpc-status", out var values))
        {
            foreach (var value in values)
            {
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var grpc) ? GrpcReply.HttpStatusFor(grpc) : 500;
            }
        }

        if (response.Content.Headers.ContentType?.MediaType is { } mediaType
            && mediaType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
            && (int)response.StatusCode == StatusCodes.Status200OK)
        {
            return 0;
        }

        return (int)response.StatusCode;
    }

    /// <summary>Envoy's generated hash cookie: quoted value, Max-Age unless a session cookie, Path, HttpOnly.</summary>
    internal static string SetCookie(string name, string value, string? path, TimeSpan? ttl)
    {
        var cookie = $"{name}=\"{value}\"";
        if (ttl is { } lifetime && lifetime > TimeSpan.Zero)
        {
            cookie += $"; Max-Age={((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture)}";
        }

        if (!string.IsNullOrEmpty(path))
        {
            cookie += $"; Path={path}";
        }

        return cookie + "; HttpOnly";
    }
}
