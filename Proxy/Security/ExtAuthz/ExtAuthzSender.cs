using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Security.ExtAuthz;

/// <summary>
/// Sends a check through the provider's outbound cluster, as Envoy does: the cluster's own client
/// (mesh mTLS to a meshed authorizer, the cluster's HTTP version), round robin over its available
/// endpoints.
/// </summary>
internal static class ExtAuthzSender
{
    /// <summary>The base address (<c>http://10.0.0.1:9000</c>) of the next endpoint, and the cluster's client.</summary>
    public static (string Address, HttpMessageInvoker Client, Version Version, HttpVersionPolicy Policy)? Pick(UpstreamCluster? cluster, Version fallbackVersion)
    {
        if (cluster is not { IsBound: true })
        {
            return null;
        }

        if (cluster.NextDestination() is not { } destination || cluster.State.Model.HttpClient is not { } client)
        {
            return null;
        }

        var request = cluster.State.Model.Config.HttpRequest;
        var version = request?.Version ?? fallbackVersion;
        var policy = request?.VersionPolicy ?? (version.Major >= 2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower);
        return (destination.Model.Config.Address.TrimEnd('/'), client, version, policy);
    }
}
