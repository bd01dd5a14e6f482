using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// <see cref="ProxyStage.MetadataExchange"/>: tells a mesh upstream who is calling: adds <see cref="PeerMetadataHeader"/> to requests a
/// sidecar's outbound or a gateway sends to in-mesh clusters (never to external services or
/// passthrough destinations, which must not learn the mesh's workload names).
/// </summary>
internal sealed class PeerMetadataTransform : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (context.HttpContext.Features.Get<RoutingResult>() is { Listener.Kind: not ListenerKind.Inbound, Cluster: { IsPassthrough: false } cluster } request
            && request.Model?.FeatureModels.Get<TelemetryModel>() is { } model
            && model.Clusters.TryGetValue(cluster.Name, out var clusterTelemetry)
            && clusterTelemetry.InMesh)
        {
            context.ProxyRequest.Headers.TryAddWithoutValidation(PeerMetadataHeader.Name, model.SelfHeader);
        }

        return ValueTask.CompletedTask;
    }
}
