using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Dns.Serving;
using Mesh.Proxy.Dns.Translation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Proxy.Dns;

/// <summary>
/// The sidecar's DNS proxy (istio-agent's DNS proxying; docs/capture.md §4): with
/// <c>Mesh:Dns:Enabled</c> it listens on 127.0.0.1:15053 (UDP and TCP, where capture's
/// <c>--redirect-dns</c> sends the app's queries) and answers mesh service names and ServiceEntry
/// hosts with the addresses of the snapshot's <c>service_addresses</c>.
/// </summary>
public sealed class DnsFeature : IProxyFeatureModule
{
    public void Register(ProxyFeatureBuilder feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        feature.Services.TryAddSingleton<DnsProxyService>();
        feature.Services.AddHostedService(provider => provider.GetRequiredService<DnsProxyService>());
        feature.AddTranslator<DnsTranslator>();
    }
}
