namespace Mesh.ControlPlane.Identity;

/// <summary>
/// The mesh CA's settings, bound from <c>ControlPlane:Ca</c>. Without <see cref="CertFile"/> the
/// CA keeps a self-signed root in <see cref="Directory"/> (generated on first start, key mode
/// 0600); with it, the operator's CA signs (Istio's "plug-in CA": <c>ca-cert.pem</c>,
/// <c>ca-key.pem</c>, <c>root-cert.pem</c>, <c>cert-chain.pem</c>).
/// </summary>
internal sealed class CertificateAuthorityOptions
{
    public const string SectionName = "ControlPlane:Ca";

    /// <summary>
    /// Where the self-signed root is persisted. Defaults to <c>&lt;DataDirectory&gt;/ca</c> (the folder
    /// named by <c>ControlPlane:Kubernetes:CaDirectory</c>, which Kubernetes mode mirrors into a Secret).
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Plug-in CA: the signing certificate (a root or an intermediate), PEM.</summary>
    public string? CertFile { get; set; }

    /// <summary>Plug-in CA: the signing certificate's private key (PKCS#8, PKCS#1 or SEC1 PEM).</summary>
    public string? KeyFile { get; set; }

    /// <summary>Plug-in CA: the root(s) the signing certificate chains to; required when it is an intermediate.</summary>
    public string? RootCertFile { get; set; }

    /// <summary>Plug-in CA: intermediates between the signing certificate and the root (may also hold both ends).</summary>
    public string? CertChainFile { get; set; }

    /// <summary>
    /// Extra roots proxies trust besides the CA's own, e.g. the previous root while a root rotation
    /// is rolled out: workloads still holding certificates of the old root stay trusted.
    /// </summary>
    public string? AdditionalTrustedRootsFile { get; set; }

    /// <summary>Lifetime of a workload certificate when the proxy asks for none (Istio: 24 h).</summary>
    public TimeSpan DefaultCertificateTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest lifetime the CA grants (Istio's max-workload-cert-ttl: 90 days).</summary>
    public TimeSpan MaxCertificateTtl { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Lifetime of a generated self-signed root (Istio: 10 years).</summary>
    public TimeSpan SelfSignedRootTtl { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>Organization of a generated root's subject (defaults to the trust domain, as Istio's).</summary>
    public string? RootOrganization { get; set; }
}
