using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.Explain;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.Mirroring;
using Mesh.Proxy.Traffic.OutlierDetection;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// Traffic management (Istio's VirtualService and DestinationRule beyond plain routing): fault
/// injection, CORS, mirroring, redirects and direct responses, header operations and rewrites,
/// circuit breaking and retry budgets, outlier detection, consistent hashing.
/// </summary>
public sealed class TrafficFeature : IProxyFeatureModule
{
    public void Register(ProxyFeatureBuilder feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var services = feature.Services;
        services.AddSingleton<TrafficStateRegistry>();
        services.AddSingleton<MirrorSender>();
        services.AddSingleton<OutlierDetector>();
        services.AddSingleton<IPassiveHealthCheckPolicy>(sp => sp.GetRequiredService<OutlierDetector>());
        services.AddSingleton<IAvailableDestinationsPolicy, OutlierAvailabilityPolicy>();
        services.AddSingleton<ILoadBalancingPolicy, ConsistentHashPolicy>();

        // Route filters (fault, CORS, mirror, direct response) come from the translator, per route.
        feature.AddTranslator<TrafficTranslator>()
            .AddMiddleware<ConnectionPoolStage>(ProxyStage.ConnectionPool)
            .AddRequestTransform<TrafficRequestTransform>(ProxyStage.UpstreamRequestHeaders)
            .AddResponseTransform<TrafficResponseTransform>(ProxyStage.UpstreamResponseHeaders)
            .AddResponseTrailersTransform<TrafficTrailersTransform>(ProxyStage.UpstreamTrailers)
            .AddExplainer<ConsistentHashExplainer>();
    }
}
