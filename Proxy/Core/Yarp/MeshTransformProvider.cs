using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Traffic;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// Request/response transforms of the mesh route, shaped like Envoy's defaults: the caller's
/// Host (authority) is preserved, x-forwarded-proto is set, the other X-Forwarded headers are
/// not added, and upstream responses are classified for retries before they reach the caller.
/// </summary>
internal sealed class MeshTransformProvider(OutlierDetector outliers) : ITransformProvider
{
    private readonly UpstreamResponseClassifier _classifier = new();
    private readonly TrafficRequestTransform _traffic = new();
    private readonly TrafficResponseTransform _trafficResponse = new(outliers);
    private readonly TrafficTrailersTransform _trafficTrailers = new(outliers);

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

        // Traffic management: header operations, rewrites, CORS, outlier detection, hash cookies.
        context.RequestTransforms.Add(_traffic);
        context.ResponseTransforms.Add(_trafficResponse);
        context.ResponseTrailersTransforms.Add(_trafficTrailers);
    }
}
