using System.Collections.Frozen;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;

namespace Mesh.Proxy.Telemetry.Expressions;

/// <summary>
/// The request attributes expressions can read, named as Envoy names them for Istio's Telemetry
/// filters and tag overrides (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes).
/// </summary>
internal enum CelAttribute
{
    RequestPath,
    RequestUrlPath,
    RequestHost,
    RequestScheme,
    RequestMethod,
    RequestHeaders,
    RequestReferer,
    RequestUserAgent,
    RequestId,
    RequestProtocol,
    RequestQuery,
    RequestDuration,
    RequestSize,
    RequestTotalSize,
    ResponseCode,
    ResponseFlags,
    ResponseGrpcStatus,
    ResponseHeaders,
    ResponseTrailers,
    ResponseSize,
    ResponseTotalSize,
    SourceAddress,
    SourcePort,
    DestinationAddress,
    DestinationPort,
    ConnectionMtls,
    ConnectionRequestedServerName,
    UpstreamAddress,
    UpstreamPort,
    XdsClusterName,
    XdsRouteName,
}

/// <summary>Names of <see cref="CelAttribute"/>s and the namespaces they live in.</summary>
internal static class CelAttributes
{
    public static readonly FrozenDictionary<string, CelAttribute> ByName = new Dictionary<string, CelAttribute>(StringComparer.Ordinal)
    {
        ["request.path"] = CelAttribute.RequestPath,
        ["request.url_path"] = CelAttribute.RequestUrlPath,
        ["request.host"] = CelAttribute.RequestHost,
        ["request.scheme"] = CelAttribute.RequestScheme,
        ["request.method"] = CelAttribute.RequestMethod,
        ["request.headers"] = CelAttribute.RequestHeaders,
        ["request.referer"] = CelAttribute.RequestReferer,
        ["request.useragent"] = CelAttribute.RequestUserAgent,
        ["request.id"] = CelAttribute.RequestId,
        ["request.protocol"] = CelAttribute.RequestProtocol,
        ["request.query"] = CelAttribute.RequestQuery,
        ["request.duration"] = CelAttribute.RequestDuration,
        ["request.size"] = CelAttribute.RequestSize,
        ["request.total_size"] = CelAttribute.RequestTotalSize,
        ["response.code"] = CelAttribute.ResponseCode,
        ["response.flags"] = CelAttribute.ResponseFlags,
        ["response.grpc_status"] = CelAttribute.ResponseGrpcStatus,
        ["response.headers"] = CelAttribute.ResponseHeaders,
        ["response.trailers"] = CelAttribute.ResponseTrailers,
        ["response.size"] = CelAttribute.ResponseSize,
        ["response.total_size"] = CelAttribute.ResponseTotalSize,
        ["source.address"] = CelAttribute.SourceAddress,
        ["source.port"] = CelAttribute.SourcePort,
        ["destination.address"] = CelAttribute.DestinationAddress,
        ["destination.port"] = CelAttribute.DestinationPort,
        ["connection.mtls"] = CelAttribute.ConnectionMtls,
        ["connection.requested_server_name"] = CelAttribute.ConnectionRequestedServerName,
        ["upstream.address"] = CelAttribute.UpstreamAddress,
        ["upstream.port"] = CelAttribute.UpstreamPort,
        ["xds.cluster_name"] = CelAttribute.XdsClusterName,
        ["xds.route_name"] = CelAttribute.XdsRouteName,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>First segments of attribute names ("request", "response", ...).</summary>
    public static readonly FrozenSet<string> Roots = ByName.Keys.Select(k => k[..k.IndexOf('.')]).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Attributes that exist only once a response is known (not usable for connection metrics).</summary>
    public static bool IsRequestScoped(CelAttribute attribute) =>
        attribute is not (CelAttribute.SourceAddress or CelAttribute.SourcePort or CelAttribute.DestinationAddress
            or CelAttribute.DestinationPort or CelAttribute.ConnectionMtls or CelAttribute.ConnectionRequestedServerName);
}

/// <summary>Supplies attribute values while an expression is evaluated (one request's data).</summary>
internal interface ICelAttributes
{
    CelValue Get(CelAttribute attribute);
}
