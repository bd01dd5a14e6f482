using Mesh.Proxy.Core.Yarp;

namespace Mesh.Proxy.Telemetry.Tracing;

/// <summary>Upstream requests continue the proxy's span (<see cref="MeshTracePropagator"/>), not HttpClient's unrecorded activity.</summary>
internal sealed class TracePropagation : IUpstreamClientConfigurator
{
    public void Configure(IReadOnlyDictionary<string, string>? clusterMetadata, SocketsHttpHandler handler)
        => handler.ActivityHeadersPropagator = MeshTracePropagator.Instance;
}
