namespace Mesh.Proxy.Security.Certificates;

/// <summary>Workload certificate settings, bound from <c>Mesh:Security</c> (environment <c>Mesh__Security__...</c>).</summary>
internal sealed class ProxySecurityOptions
{
    public const string SectionName = "Mesh:Security";

    /// <summary>Lifetime to ask the CA for; zero takes the CA's default (24 h). The CA may grant less.</summary>
    public TimeSpan CertificateLifetime { get; set; }

    /// <summary>
    /// How long applying a snapshot that needs mTLS waits for the first certificate before it is
    /// NACKed (the proxy keeps asking the CA meanwhile).
    /// </summary>
    public TimeSpan CertificateWaitTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
