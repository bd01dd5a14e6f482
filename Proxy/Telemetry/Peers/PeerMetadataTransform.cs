using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Proxy.Telemetry.Peers;

/// <summary>
/// Tells a mesh upstream who is calling: adds <see cref="PeerMetadataHeader"/> to requests a
/// sidecar's outbound or a gateway sends to in-mesh clusters (never to external services or
/// passthrough destinations, which must not learn the mesh's workload names).
/// </summary>
internal sealed class PeerMetadataTransform : RequestTransform, ITransformProvider
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (context.HttpContext.Features.Get<MeshRequestFeature>() is { Listener.Kind: not ListenerKind.Inbound, Cluster: { IsPassthrough: false } cluster } request
            && request.Model?.Telemetry is { } model
            && model.Clusters.TryGetValue(cluster.Name, out var clusterTelemetry)
            && clusterTelemetry.InMesh)
        {
            context.ProxyRequest.Headers.TryAddWithoutValidation(PeerMetadataHeader.Name, model.SelfHeader);
        }

        return ValueTask.CompletedTask;
    }

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.RequestTransforms.Add(this);
}
