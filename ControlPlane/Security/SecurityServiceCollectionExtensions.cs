using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// Composes how proxies authenticate: the credential check the CSR API uses (bootstrap tokens, or
/// TokenReview in Kubernetes mode) and the discovery stream's authenticator. Kubernetes mode
/// (ControlPlane/Kubernetes) registers its own credential check and discovery authenticator
/// first; this keeps them.
/// </summary>
internal static class SecurityServiceCollectionExtensions
{
    public static WebApplicationBuilder AddMeshProxyCredentials(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.SectionName));
        services.TryAddSingleton<BootstrapKey>();
        services.TryAddSingleton<IWorkloadCredentialValidator, BootstrapTokenValidator>();

        // Without a bootstrap key nothing could authenticate locally: the stream stays open (loopback by
        // default), as the admin API does without a token, and startup says so.
        services.TryAddSingleton<IProxyAuthenticator>(sp => sp.GetRequiredService<BootstrapKey>().IsConfigured
            ? new CredentialProxyAuthenticator(sp.GetRequiredService<IWorkloadCredentialValidator>())
            : new AllowAnyProxyAuthenticator());
        services.AddHostedService<ProxyCredentialsReporter>();
        return builder;
    }
}
