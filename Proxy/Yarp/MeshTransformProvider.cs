using Mesh.Proxy.Pipeline;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Proxy.Yarp;

/// <summary>
/// Request/response transforms of the mesh route, shaped like Envoy's defaults: the caller's
/// Host (authority) is preserved, x-forwarded-proto is set, the other X-Forwarded headers are
/// not added, and upstream responses are classified for retries before they reach the caller.
/// </summary>
internal sealed class MeshTransformProvider : ITransformProvider
{
    private readonly UpstreamResponseClassifier _classifier = new();

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.UseDefaultForwarders = false;
        context.AddOriginalHost(useOriginal: true);
        context.AddXForwardedProto(action: ForwardedTransformActions.Set);
        context.ResponseTransforms.Add(_classifier);
    }
}
