using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.Mirroring;
using Mesh.Proxy.Traffic.OutlierDetection;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Mesh.Proxy.Traffic;

/// <summary>Registers the traffic management services the proxy core uses.</summary>
internal static class TrafficServiceCollectionExtensions
{
    public static IServiceCollection AddMeshTraffic(this IServiceCollection services)
    {
        services.AddSingleton<TrafficStateRegistry>();
        services.AddSingleton<MirrorSender>();
        services.AddSingleton<TrafficRuntime>();
        services.AddSingleton<OutlierDetector>();
        services.AddSingleton<IPassiveHealthCheckPolicy>(sp => sp.GetRequiredService<OutlierDetector>());
        services.AddSingleton<IAvailableDestinationsPolicy, OutlierAvailabilityPolicy>();
        services.AddSingleton<ILoadBalancingPolicy, ConsistentHashPolicy>();
        return services;
    }
}
