namespace Mesh.ControlPlane.Security;

/// <summary>
/// How proxies authenticate outside Kubernetes, bound from <c>ControlPlane:Security</c>. With a
/// bootstrap key the control plane accepts bootstrap tokens minted with it (see
/// <see cref="BootstrapToken"/>) on the CSR API and requires one on the discovery stream; the
/// Aspire hosting generates the key and mints a token per workload. In Kubernetes mode proxies
/// use service account tokens instead and these settings are not used.
/// </summary>
internal sealed class SecurityOptions
{
    public const string SectionName = "ControlPlane:Security";

    /// <summary>The bootstrap key itself (prefer <see cref="BootstrapKeyFile"/>: environment variables leak easily).</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>A file holding the bootstrap key.</summary>
    public string? BootstrapKeyFile { get; set; }

    /// <summary>Generate a key on first start into <c>&lt;data&gt;/bootstrap-key</c> (mode 0600) and use it.</summary>
    public bool GenerateBootstrapKey { get; set; }
}
