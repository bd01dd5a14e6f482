using Mesh.ControlPlane.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Composes the Kubernetes mode (<c>ControlPlane:Mode=Kubernetes</c>): config from the mesh CRDs
/// instead of a directory, status written back, the CA kept in a Secret, and proxies
/// authenticated by their service account tokens. The registry's workloads come from the API
/// server (<see cref="KubernetesWorkloadSource"/>), the same on every replica.
/// </summary>
internal static class KubernetesServiceCollectionExtensions
{
    public const string ModeKey = "ControlPlane:Mode";
    public const string KubernetesMode = "Kubernetes";

    public static bool IsKubernetesMode(IConfiguration configuration) =>
        string.Equals(configuration[ModeKey], KubernetesMode, StringComparison.OrdinalIgnoreCase);

    public static WebApplicationBuilder AddMeshKubernetes(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<KubernetesOptions>()
            .Bind(builder.Configuration.GetSection(KubernetesOptions.SectionName))
            .Validate(o => o.ResyncPeriod > TimeSpan.Zero && o.WatchTimeout >= TimeSpan.FromSeconds(1), "ControlPlane:Kubernetes:ResyncPeriod must be positive and WatchTimeout at least 1s")
            .Validate(
                o => o.LeaseRetryPeriod > TimeSpan.Zero && o.LeaseRetryPeriod < o.LeaseRenewDeadline && o.LeaseRenewDeadline < o.LeaseDuration && !string.IsNullOrWhiteSpace(o.LeaseName),
                "ControlPlane:Kubernetes:LeaseName must be set and 0 < LeaseRetryPeriod < LeaseRenewDeadline < LeaseDuration")
            .ValidateOnStart();
        services.TryAddSingleton(sp => KubernetesClientFactory.Create(sp.GetRequiredService<IOptions<KubernetesOptions>>().Value));

        // One replica leads (Lease): status writes and the CA's bootstrap; all serve discovery.
        services.AddSingleton<KubernetesLeaderElection>();
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesLeaderElection>());
        services.AddSingleton<CustomResourceCache>();
        services.AddSingleton<CustomResourceStatusWriter>();
        services.AddSingleton<GatewayApiStatusWriter>();
        services.AddSingleton<CustomResourceReconciler>();
        // The registry's source: EndpointSlices and Pods (before the config source, which waits for its first list).
        services.AddSingleton<KubernetesWorkloadSource>();
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesWorkloadSource>());
        services.AddHostedService<KubernetesConfigSource>();
        services.AddHostedService<CredentialSecretMirror>();

        services.AddSingleton<KubernetesTokenReviewer>();
        services.Replace(ServiceDescriptor.Singleton<IWorkloadCredentialValidator, KubernetesCredentialValidator>());
        services.Replace(ServiceDescriptor.Singleton<IProxyAuthenticator, KubernetesProxyAuthenticator>());

        // Before every other hosted service: the CA must find the cluster's root on disk when it starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, CaSecretSynchronizer>());
        return builder;
    }
}
