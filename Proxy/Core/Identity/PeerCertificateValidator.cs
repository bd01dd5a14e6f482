using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// Verifies a mesh peer's certificate the way Envoy's SPIFFE validator does: it must chain to a
/// root of the trust bundle (nothing from the system store counts), be within its validity, and
/// carry one SPIFFE URI SAN — which becomes the peer's identity.
/// </summary>
public static class PeerCertificateValidator
{
    public static SpiffeIdentity? Validate(X509Certificate? presented, X509Chain? presentedChain, WorkloadIdentityState state, out string? error)
    {
        if (presented is null)
        {
            error = "the peer presented no certificate";
            return null;
        }

        if (state.TrustBundle is not { } bundle)
        {
            error = "no trust bundle yet";
            return null;
        }

        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(bundle.Roots);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;

        // Intermediates the peer sent, and ours: every workload is signed by the same mesh CA.
        if (presentedChain is not null)
        {
            policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }

        if (state.Certificate is { } own)
        {
            policy.ExtraStore.AddRange(own.Intermediates);
        }

        if (!chain.Build(certificate))
        {
            error = "the certificate does not verify against the mesh trust bundle: " +
                string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return null;
        }

        var identity = SpiffeIdentity.From(certificate);
        error = identity is null ? "the certificate carries no (single) SPIFFE URI SAN" : null;
        return identity;
    }
}
