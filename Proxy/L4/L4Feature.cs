using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.L4.Admin;
using Mesh.Proxy.L4.Proxying;
using Mesh.Proxy.L4.Translation;
using Mesh.Proxy.L4.Upstream;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Proxy.L4;

/// <summary>
/// TCP and TLS connections through the proxy (Istio's TCP/TLS routing, Envoy's tcp_proxy): sidecar
/// inbound TCP ports to the app, outbound TCP and TLS bindings by VirtualService tcp/tls routes and
/// ServiceEntries, Gateway TCP, TLS-terminated and passthrough servers; load balancing, subsets,
/// connectionPool.tcp, outlier detection on connect failures, mesh mTLS and TLS origination upstream.
/// The stage ends every L4 connection (<see cref="ListenerStage.Network"/>); authorization and
/// telemetry plug in as network filters and observers (<see cref="NetworkStage"/>).
/// </summary>
public sealed class L4Feature : IProxyFeatureModule
{
    public void Register(ProxyFeatureBuilder feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var services = feature.Services;
        services.TryAddSingleton<L4ClusterStates>();
        services.TryAddSingleton<UpstreamConnector>();
        services.TryAddSingleton<L4OutlierDetector>();
        feature.AddTranslator<L4Translator>()
            .AddListenerStage<TcpProxyStage>(ListenerStage.Network)
            .AddAdminEndpoint<TcpClustersEndpoint>();
    }
}
