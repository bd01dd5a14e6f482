using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Certificates;
using Mesh.Proxy.Security.Explain;
using Mesh.Proxy.Security.ExtAuthz;
using Mesh.Proxy.Security.Jwt;
using Mesh.Proxy.Security.Policy;
using Mesh.Proxy.Security.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Proxy.Security;

/// <summary>
/// The proxy's security: workload certificates from the mesh CA, inbound mTLS (PeerAuthentication),
/// upstream TLS (DestinationRule tls, auto mTLS), JWT (RequestAuthentication) and authorization
/// (AuthorizationPolicy, with external authorizers for CUSTOM).
/// </summary>
public sealed class SecurityFeature : IProxyFeatureModule
{
    public void Register(ProxyFeatureBuilder feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var services = feature.Services;
        var section = feature.Configuration.GetSection(ProxySecurityOptions.SectionName);
        services.AddOptions<ProxySecurityOptions>()
            .Configure(options => ProxySettingsException.Binding(() => section.Bind(options)))
            .Validate(o => o.CertificateLifetime >= TimeSpan.Zero && o.CertificateWaitTimeout > TimeSpan.Zero, "Mesh:Security:CertificateLifetime must not be negative and CertificateWaitTimeout must be positive")
            .ValidateOnStart();
        services.TryAddSingleton<WorkloadCertificateManager>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkloadCertificateManager>());
        services.TryAddSingleton<JwksProvider>();
        services.TryAddSingleton<JwtAuthenticator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ExtAuthzCaller>();

        feature.AddTranslator<SecurityTranslator>()
            .AddSnapshotGate<JwksPrefetch>()
            .AddSnapshotGate<SnapshotSecurityGate>()
            .AddListenerStage<InboundTlsConfigurator>(ListenerStage.Tls)
            .AddUpstreamClientConfigurator<UpstreamTlsConfigurator>()
            .AddMiddleware<AuthenticationStage>(ProxyStage.Authentication)
            .AddMiddleware<AuthorizationStage>(ProxyStage.Authorization)
            .AddNetworkFilter<NetworkAuthorizationFilter>(NetworkStage.Authorization)
            .AddExplainer<AuthenticationExplainer>()
            .AddExplainer<AuthorizationExplainer>()
            .AddExplainer<UpstreamTlsExplainer>();
    }
}
