namespace Mesh.ControlPlane.Identity;

/// <summary>
/// Loads (or generates) the CA's root at start, so a broken CA (unreadable or corrupt key files, a
/// plug-in certificate that does not chain to its root) is reported at once with the file it
/// concerns. The control plane keeps running so the admin API stays available to diagnose it,
/// but it never works around the problem: every certificate request and every snapshot build
/// then fails with the same error (proxies keep their last snapshot; proxy-status shows it),
/// rather than pushing snapshots without a trust bundle, which would turn mTLS off.
/// Registered after the Kubernetes CA Secret synchronizer, so on a cluster the Secret's root is on disk by now.
/// </summary>
internal sealed partial class CertificateAuthorityStartup(MeshCertificateAuthority ca, ILogger<CertificateAuthorityStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        CaKeyMaterial material;
        try
        {
            material = ca.Material;
        }
        catch (InvalidOperationException ex)
        {
            LogFailed(logger, ex.Message, ex);
            return Task.CompletedTask;
        }

        var root = material.Roots[0];
        LogLoaded(logger, material.Source, material.SigningCertificate.Subject, root.Thumbprint, root.NotAfter.ToUniversalTime(), material.TrustBundlePem.Count, ca.TrustDomain);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh CA ready ({Source}): signing as '{Subject}', root {RootThumbprint} valid until {RootExpires:u}, {BundleSize} root(s) in the trust bundle, trust domain {TrustDomain}")]
    private static partial void LogLoaded(ILogger logger, CaSource source, string subject, string rootThumbprint, DateTime rootExpires, int bundleSize, string trustDomain);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The mesh CA cannot load its key material: no certificate will be issued and no snapshot built until this is fixed and the control plane restarted. {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception exception);
}
