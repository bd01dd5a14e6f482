using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// How a proxy accepts an upstream server's certificate (HTTP clusters and L4 connections alike):
/// a mesh peer must chain to the trust bundle and name one of the expected SPIFFE identities; an
/// external server (DestinationRule SIMPLE/MUTUAL) must chain to the given roots (or the system's)
/// and carry one of the expected subjectAltNames, else the requested host name.
/// </summary>
public static class ServerCertificateVerifier
{
    public static bool AcceptMeshServer(X509Certificate? certificate, X509Chain? chain, WorkloadIdentityState identity, IReadOnlyList<string> expected)
    {
        var peer = PeerCertificateValidator.Validate(certificate, chain, identity, out _);
        return peer is not null && (expected.Count == 0 || expected.Contains(peer.Uri));
    }

    public static bool AcceptServer(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? roots, IReadOnlyList<string> expected)
    {
        if (certificate is null)
        {
            return false;
        }

        var server = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (roots is null)
        {
            // The platform verified the chain against the system roots, and the name against the host.
            var chainErrors = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
            if (chainErrors != SslPolicyErrors.None)
            {
                return false;
            }
        }
        else
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(roots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.DisableCertificateDownloads = true;
            if (chain is not null)
            {
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
            }

            if (!custom.Build(server))
            {
                return false;
            }
        }

        if (expected.Count == 0)
        {
            return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        }

        var names = CertificateNames.Of(server);
        return names.Exists(name => expected.Any(e => CertificateNames.Matches(name, e)));
    }
}
