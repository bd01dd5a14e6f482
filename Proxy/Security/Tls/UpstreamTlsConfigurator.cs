using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Yarp;

namespace Mesh.Proxy.Security.Tls;

/// <summary>
/// Configures a cluster's upstream client for TLS from its metadata (<see cref="UpstreamTlsMetadata"/>).
/// Mesh mTLS presents the current workload certificate at every handshake (so rotation needs no
/// new client) and accepts only servers whose certificate chains to the trust bundle and names
/// one of the expected SPIFFE identities. SIMPLE/MUTUAL verify against the given roots (or the
/// system's), by subjectAltNames when given, else by the request's host name.
/// </summary>
internal sealed class UpstreamTlsConfigurator(WorkloadIdentityState identity) : IUpstreamClientConfigurator
{
    public void Configure(IReadOnlyDictionary<string, string>? clusterMetadata, SocketsHttpHandler handler) => Configure(clusterMetadata, handler, identity);

    public static void Configure(IReadOnlyDictionary<string, string>? metadata, SocketsHttpHandler handler, WorkloadIdentityState identity)
    {
        if (metadata is null || !metadata.TryGetValue(UpstreamTlsMetadata.Mode, out var mode))
        {
            return;
        }

        var expected = metadata.TryGetValue(UpstreamTlsMetadata.SubjectAltNames, out var sans)
            ? sans.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : [];
        var ssl = handler.SslOptions;
        ssl.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        ssl.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;

        if (mode == UpstreamTlsMetadata.IstioMutual)
        {
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => identity.Certificate?.Leaf!;
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, _) => AcceptMeshServer(certificate, chain, identity, expected);
            return;
        }

        var insecure = metadata.ContainsKey(UpstreamTlsMetadata.InsecureSkipVerify);
        X509Certificate2Collection? roots = null;
        if (metadata.TryGetValue(UpstreamTlsMetadata.CaCertificates, out var caPem))
        {
            roots = [];
            roots.ImportFromPem(caPem);
        }

        ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => insecure || AcceptServer(certificate, chain, errors, roots, expected);
        if (mode == UpstreamTlsMetadata.Mutual
            && metadata.TryGetValue(UpstreamTlsMetadata.ClientCertificate, out var certPem)
            && metadata.TryGetValue(UpstreamTlsMetadata.PrivateKey, out var keyPem))
        {
            var client = X509Certificate2.CreateFromPem(certPem, keyPem);
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }
    }

    private static bool AcceptMeshServer(X509Certificate? certificate, X509Chain? chain, WorkloadIdentityState identity, string[] expected)
    {
        var peer = PeerCertificateValidator.Validate(certificate, chain, identity, out _);
        return peer is not null && (expected.Length == 0 || Array.IndexOf(expected, peer.Uri) >= 0);
    }

    private static bool AcceptServer(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? roots, string[] expected)
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

        if (expected.Length == 0)
        {
            return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        }

        var names = CertificateNames.Of(server);
        return names.Exists(name => Array.Exists(expected, e => CertificateNames.Matches(name, e)));
    }
}
