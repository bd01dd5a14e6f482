using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Gateway;

/// <summary>Registers gateway mode's TLS termination and graceful drain (no-ops for sidecars).</summary>
public static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddMeshGatewayServing(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IListenerConfigurator, GatewayTlsConfigurator>());

        // Kestrel's graceful shutdown is the drain: listeners close at once, requests in flight
        // get this long, keep-alive connections are told to close (Connection: close / GOAWAY).
        services.AddOptions<HostOptions>().Configure<IOptions<MeshProxyOptions>>((host, mesh) =>
        {
            if (mesh.Value.Mode == MeshProxyMode.Gateway)
            {
                host.ShutdownTimeout = mesh.Value.Gateway.DrainTimeout;
            }
        });
        return services;
    }
}
