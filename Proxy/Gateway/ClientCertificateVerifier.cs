using System.Security.Cryptography.X509Certificates;
using Mesh.Proxy.Core.Identity;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// Verifies a client certificate for a MUTUAL or ISTIO_MUTUAL Gateway server: it must chain to the
/// server's CA certificates (MUTUAL; nothing from the system store counts) or to the mesh trust
/// bundle (ISTIO_MUTUAL), be within its validity, and carry one of the server's
/// <c>subjectAltNames</c> when some are listed (exact match, as Istio configures Envoy).
/// </summary>
internal static class ClientCertificateVerifier
{
    public static X509Certificate2? Verify(X509Certificate? presented, X509Chain? presentedChain, GatewayTlsModel tls, WorkloadIdentityState identity, out SpiffeIdentity? meshIdentity, out string? error)
    {
        meshIdentity = null;
        if (presented is null)
        {
            error = "the client presented no certificate";
            return null;
        }

        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (tls.Mode == GatewayTlsMode.IstioMutual)
        {
            meshIdentity = PeerCertificateValidator.Validate(certificate, presentedChain, identity, out error);
            if (meshIdentity is null)
            {
                return null;
            }
        }
        else if (!ChainsTo(certificate, presentedChain, tls.ClientRoots!, out error))
        {
            return null;
        }

        if (tls.SubjectAltNames.Count > 0)
        {
            var names = CertificateNames.Of(certificate);
            if (!names.Any(name => tls.SubjectAltNames.Contains(name, StringComparer.Ordinal)))
            {
                error = $"none of the certificate's names ({(names.Count == 0 ? "none" : string.Join(", ", names))}) is an accepted subjectAltName";
                return null;
            }
        }

        error = null;
        return certificate;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Chain? presentedChain, X509Certificate2Collection roots, out string? error)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(roots);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        if (presentedChain is not null)
        {
            // The intermediates the client sent.
            policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        if (chain.Build(certificate))
        {
            error = null;
            return true;
        }

        error = "the certificate does not verify against the server's CA certificates: " +
            string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return false;
    }
}
