using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// Gateway serving: the Gateway servers that select this proxy (TLS termination by SNI with
/// SIMPLE, MUTUAL and ISTIO_MUTUAL, httpsRedirect), routing on gateway listeners among the virtual
/// hosts of their servers, graceful drain, and the admin <c>/certs</c> view.
/// </summary>
public sealed class GatewayFeature : IProxyFeatureModule
{
    public void Register(ProxyFeatureBuilder feature)
    {
        ArgumentNullException.ThrowIfNull(feature);

        // Kestrel's graceful shutdown is the drain: listeners close at once, requests in flight
        // get this long, keep-alive connections are told to close (Connection: close / GOAWAY).
        feature.Services.AddOptions<HostOptions>().Configure<IOptions<MeshProxyOptions>>((host, mesh) =>
        {
            if (mesh.Value.Mode == MeshProxyMode.Gateway)
            {
                host.ShutdownTimeout = mesh.Value.Gateway.DrainTimeout;
            }
        });

        feature.AddTranslator<GatewayTranslator>()
            .AddListenerStage<GatewayTlsConfigurator>(ListenerStage.Tls)
            .AddAdminEndpoint<GatewayCertificatesEndpoint>();
    }
}
