namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// Shapes the upstream HTTP client of a cluster (and of passthrough traffic), where Core's
/// MeshForwarderHttpClientFactory builds it — e.g. upstream TLS, the trace propagator. Settings a
/// feature needs per cluster travel in the cluster's metadata (set at translation,
/// <c>ClusterTranslation.Metadata</c>); a change of metadata builds a new client.
/// </summary>
public interface IUpstreamClientConfigurator
{
    /// <param name="clusterMetadata">The cluster's metadata; null when it has none (always for the passthrough client).</param>
    void Configure(IReadOnlyDictionary<string, string>? clusterMetadata, SocketsHttpHandler handler);
}
