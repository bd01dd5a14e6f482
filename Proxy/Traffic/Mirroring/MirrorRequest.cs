using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Mesh.Proxy.Traffic.Mirroring;

/// <summary>
/// Everything a mirrored copy needs, captured from the caller's request while it is still live
/// (the copy is sent later, after the HttpContext may have been recycled).
/// </summary>
internal sealed class MirrorRequest
{
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Host,
        HeaderNames.Connection,
        HeaderNames.KeepAlive,
        HeaderNames.TransferEncoding,
        HeaderNames.Upgrade,
        HeaderNames.ContentLength,
        HeaderNames.Expect,
        HeaderNames.ProxyAuthorization,
        "Proxy-Connection",
        HeaderNames.TE,
    };

    private MirrorRequest(UpstreamCluster cluster, HttpRequestMessage message, List<KeyValuePair<string, StringValues>> contentHeaders, TimeSpan timeout, string pathAndQuery)
    {
        Cluster = cluster;
        Message = message;
        ContentHeaders = contentHeaders;
        Timeout = timeout;
        PathAndQuery = pathAndQuery;
    }

    public UpstreamCluster Cluster { get; }

    /// <summary>Method, headers and version; the URI is set when a destination is picked.</summary>
    public HttpRequestMessage Message { get; }

    public List<KeyValuePair<string, StringValues>> ContentHeaders { get; }

    public TimeSpan Timeout { get; }

    public string PathAndQuery { get; }

    public static MirrorRequest Capture(HttpContext context, RoutingResult request, UpstreamCluster cluster)
    {
        var http = context.Request;
        var route = request.Route!;
        var traffic = route.FeatureModels.Get<RouteHeadersModel>();
        var message = new HttpRequestMessage(new HttpMethod(http.Method), (Uri?)null);
        if (cluster.Protocol is Contracts.Snapshots.Protocol.Http2 or Contracts.Snapshots.Protocol.Grpc)
        {
            message.Version = System.Net.HttpVersion.Version20;
            message.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        else
        {
            message.Version = System.Net.HttpVersion.Version11;
            message.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        }

        var contentHeaders = new List<KeyValuePair<string, StringValues>>();
        foreach (var (name, values) in http.Headers)
        {
            if (name.Length == 0 || name[0] == ':' || NotCopied.Contains(name))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                contentHeaders.Add(new(name, values));
            }
        }

        if (http.Headers.TE.ToString().Contains("trailers", StringComparison.OrdinalIgnoreCase))
        {
            message.Headers.TryAddWithoutValidation(HeaderNames.TE, "trailers");
        }

        var authority = traffic?.Rewrite?.Authority ?? http.Host.Value ?? string.Empty;
        if (traffic?.RequestHeaders is { } operations)
        {
            operations.ApplyTo(message.Headers);
        }

        message.Headers.Host = ShadowHost(message.Headers.Host ?? authority);
        var path = http.Path.Value ?? "/";
        if (traffic?.Rewrite is { RewritesPath: true } rewrite)
        {
            path = rewrite.RewritePath(path, route, http, request.VirtualHost?.Port ?? 0);
        }

        var timeout = route.Action?.Timeout is { Ticks: > 0 } routeTimeout ? routeTimeout : Core.Yarp.ClusterDefaults.StreamIdleTimeout;
        return new MirrorRequest(cluster, message, contentHeaders, timeout, path + http.QueryString.Value);
    }

    /// <summary>Envoy's shadow host: "-shadow" appended to the host part ("reviews:9080" → "reviews-shadow:9080").</summary>
    public static string ShadowHost(string authority)
    {
        var host = HostHeader.Split(authority, out var port);
        return port >= 0 ? string.Concat(host, "-shadow:", authority.AsSpan(host.Length + 1)) : authority + "-shadow";
    }
}
