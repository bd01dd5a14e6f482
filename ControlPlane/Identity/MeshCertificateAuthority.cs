using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// The mesh CA. Its key material is loaded on first use rather than at construction, because in
/// Kubernetes mode the CA directory is restored from a Secret by a hosted service that runs
/// after the services are constructed (<see cref="CertificateAuthorityStartup"/> loads it right after).
/// </summary>
internal sealed class MeshCertificateAuthority
{
    private readonly Lazy<CaKeyMaterial> _material;
    private readonly CertificateAuthorityOptions _options;
    private readonly TimeProvider _time;

    public MeshCertificateAuthority(IOptions<CertificateAuthorityOptions> options, IOptions<ControlPlaneOptions> controlPlane, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        TrustDomain = controlPlane.Value.TrustDomain;
        _material = new Lazy<CaKeyMaterial>(() => CaKeyStore.Load(_options, TrustDomain, _time.GetUtcNow()), LazyThreadSafetyMode.ExecutionAndPublication);
        TrustBundle = new LazyTrustBundle(() => Material.TrustBundlePem);
    }

    public string TrustDomain { get; }

    public CaKeyMaterial Material => _material.Value;

    /// <summary>The trust bundle for snapshots (<c>MeshSettings.TrustBundlePem</c>); reading it loads the CA.</summary>
    public IReadOnlyList<string> TrustBundle { get; }

    public TimeSpan DefaultLifetime => _options.DefaultCertificateTtl;

    /// <summary>The lifetime a request gets: the default for 0, never more than the maximum.</summary>
    public TimeSpan LifetimeFor(long requestedSeconds) =>
        requestedSeconds <= 0 ? _options.DefaultCertificateTtl
        : TimeSpan.FromSeconds(Math.Min(requestedSeconds, (long)_options.MaxCertificateTtl.TotalSeconds));

    /// <summary>Signs <paramref name="publicKey"/> for <paramref name="identity"/>: the leaf first, then the CA chain up to the root.</summary>
    public IReadOnlyList<string> Issue(PublicKey publicKey, SpiffeId identity, TimeSpan lifetime, out X509Certificate2 leaf)
    {
        var material = Material;
        leaf = WorkloadCertificateSigner.Sign(material, publicKey, identity, lifetime, _time.GetUtcNow());
        return [leaf.ExportCertificatePem() + "\n", .. material.IssuerChainPem];
    }
}
