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
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, _) => ServerCertificateVerifier.AcceptMeshServer(certificate, chain, identity, expected);
            if (metadata.TryGetValue(UpstreamTlsMetadata.Gateways, out var gateways) && metadata.TryGetValue(UpstreamTlsMetadata.GatewaySni, out var sni))
            {
                var connector = new GatewayTlsConnector(gateways.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase), sni, expected, identity);
                handler.ConnectCallback = connector.ConnectAsync;
            }

            return;
        }

        var insecure = metadata.ContainsKey(UpstreamTlsMetadata.InsecureSkipVerify);
        X509Certificate2Collection? roots = null;
        if (metadata.TryGetValue(UpstreamTlsMetadata.CaCertificates, out var caPem))
        {
            roots = [];
            roots.ImportFromPem(caPem);
        }

        ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => insecure || ServerCertificateVerifier.AcceptServer(certificate, chain, errors, roots, expected);
        if (mode == UpstreamTlsMetadata.Mutual
            && metadata.TryGetValue(UpstreamTlsMetadata.ClientCertificate, out var certPem)
            && metadata.TryGetValue(UpstreamTlsMetadata.PrivateKey, out var keyPem))
        {
            var client = X509Certificate2.CreateFromPem(certPem, keyPem);
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }
    }
}
