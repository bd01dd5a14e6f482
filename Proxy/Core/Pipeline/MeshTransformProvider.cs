using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// The transforms of the mesh route, shaped like Envoy's defaults — the caller's Host (authority)
/// is preserved, x-forwarded-proto is set, the other X-Forwarded headers are not added — followed
/// by the transform stages of <see cref="ProxyStage"/> in their declared order (e.g. the router's
/// retry classification sees the upstream response before any feature's response transform).
/// </summary>
internal sealed class MeshTransformProvider : ITransformProvider
{
    private readonly RequestTransform[] _request;
    private readonly ResponseTransform[] _response;
    private readonly ResponseTrailersTransform[] _trailers;

    public MeshTransformProvider(IEnumerable<ProxyStageRegistration> registrations, IServiceProvider services)
    {
        var all = registrations.ToList();
        _request = Resolve<RequestTransform>(all, ProxyStageKind.RequestTransform, services);
        _response = Resolve<ResponseTransform>(all, ProxyStageKind.ResponseTransform, services);
        _trailers = Resolve<ResponseTrailersTransform>(all, ProxyStageKind.ResponseTrailersTransform, services);
    }

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
        foreach (var transform in _request)
        {
            context.RequestTransforms.Add(transform);
        }

        foreach (var transform in _response)
        {
            context.ResponseTransforms.Add(transform);
        }

        foreach (var transform in _trailers)
        {
            context.ResponseTrailersTransforms.Add(transform);
        }
    }

    private static T[] Resolve<T>(List<ProxyStageRegistration> registrations, ProxyStageKind kind, IServiceProvider services)
        => [.. StageOrder.Of(registrations, kind).Select(r => (T)services.GetRequiredService(r.Implementation))];
}
