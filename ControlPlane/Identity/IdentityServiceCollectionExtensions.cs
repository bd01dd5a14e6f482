using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Identity;

/// <summary>Composes the mesh CA and its CSR API.</summary>
internal static class IdentityServiceCollectionExtensions
{
    /// <summary>The key Kubernetes mode uses for the CA folder it mirrors into a Secret (see <c>KubernetesOptions.CaDirectory</c>).</summary>
    private const string KubernetesCaDirectoryKey = "ControlPlane:Kubernetes:CaDirectory";

    public static WebApplicationBuilder AddMeshCertificateAuthority(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<CertificateAuthorityOptions>()
            .Bind(configuration.GetSection(CertificateAuthorityOptions.SectionName))
            .PostConfigure<IOptions<ControlPlaneOptions>>((ca, controlPlane) =>
                ca.Directory ??= Path.Combine(Path.GetFullPath(controlPlane.Value.DataDirectory), configuration[KubernetesCaDirectoryKey] is { Length: > 0 } folder ? folder : "ca"))
            .Validate(o => o.DefaultCertificateTtl >= TimeSpan.FromSeconds(1) && o.MaxCertificateTtl >= o.DefaultCertificateTtl, "ControlPlane:Ca:DefaultCertificateTtl must be at least 1 s and not above MaxCertificateTtl")
            .ValidateOnStart();
        builder.Services.AddSingleton<MeshCertificateAuthority>();
        builder.Services.AddSingleton<DiscoveryServingCertificate>();
        builder.Services.AddHostedService<CertificateAuthorityStartup>();
        return builder;
    }
}
