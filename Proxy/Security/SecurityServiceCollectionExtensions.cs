using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Certificates;
using Mesh.Proxy.Security.Jwt;
using Mesh.Proxy.Security.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Mesh.Proxy.Security;

/// <summary>Registers the proxy's security: workload certificates, inbound mTLS, upstream TLS, JWT and authorization.</summary>
public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddMeshProxySecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxySecurityOptions>()
            .Bind(configuration.GetSection(ProxySecurityOptions.SectionName))
            .Validate(o => o.CertificateLifetime >= TimeSpan.Zero && o.CertificateWaitTimeout > TimeSpan.Zero, "Mesh:Security:CertificateLifetime must not be negative and CertificateWaitTimeout must be positive")
            .ValidateOnStart();
        services.TryAddSingleton<WorkloadIdentityState>();
        services.TryAddSingleton<WorkloadCertificateManager>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkloadCertificateManager>());
        services.TryAddSingleton<SnapshotSecurityGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IListenerConfigurator, InboundTlsConfigurator>());
        services.TryAddSingleton<JwksProvider>();
        services.TryAddSingleton<JwtAuthenticator>();
        services.TryAddSingleton<InboundPolicyEnforcer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRequestAdmission, GatewayRequestAdmission>());
        return services;
    }
}
