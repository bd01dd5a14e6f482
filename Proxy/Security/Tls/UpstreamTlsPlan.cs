using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Core.Yarp;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Security.Tls;

/// <summary>
/// How one cluster's endpoints are reached, decided at translation time as Istio does:
/// DestinationRule <c>tls.mode</c> wins (DISABLE = plaintext, ISTIO_MUTUAL = mesh mTLS to every
/// endpoint, SIMPLE/MUTUAL = TLS origination); without one, auto mTLS originates mesh mTLS to
/// the endpoints marked <c>mtls</c> (they have sidecars) and plaintext to the rest — once the
/// mesh has a CA (the snapshot carries a trust bundle). TLS endpoints get <c>https://</c>
/// destinations; the settings travel as cluster metadata.
/// </summary>
internal sealed class UpstreamTlsPlan
{
    // Mesh mTLS between sidecars: HTTP/2 negotiated by ALPN, so one multiplexed connection (one
    // handshake) per peer carries every request; HTTP/1.1 stays allowed for what has no HTTP/2 form
    // (SPDY upgrades; YARP sends WebSockets as HTTP/2 extended CONNECT) and for servers without h2.
    private static readonly ForwarderRequestConfig Http2OverTls = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = ClusterDefaults.StreamIdleTimeout,
        AllowResponseBuffering = false,
    };

    private static readonly ForwarderRequestConfig Http2ThroughGateway = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = ClusterDefaults.StreamIdleTimeout,
        AllowResponseBuffering = false,
    };

    /// <summary>Plaintext to every endpoint.</summary>
    public static readonly UpstreamTlsPlan None = new(null, allEndpoints: false, new Dictionary<string, string>());

    private readonly string? _mode;
    private readonly bool _allEndpoints;
    private readonly Dictionary<string, string> _metadata;

    private UpstreamTlsPlan(string? mode, bool allEndpoints, Dictionary<string, string> metadata)
    {
        _mode = mode;
        _allEndpoints = allEndpoints;
        _metadata = metadata;
    }

    public bool UsesTls => _mode is not null;

    /// <summary>
    /// Whether the endpoint's destination is https://. An east-west gateway of another network is
    /// not: its mesh mTLS is originated by the connect callback (<see cref="UpstreamTlsConfigurator"/>),
    /// because the handler would send the request's host as the SNI, and the gateway routes by
    /// Istio's <c>outbound_</c> name.
    /// </summary>
    public bool UsesTlsFor(Endpoint endpoint) => _mode is not null && (_allEndpoints || endpoint.Mtls) && !(endpoint.NetworkGateway && _mode == UpstreamTlsMetadata.IstioMutual);

    public string SchemeFor(Endpoint endpoint) => UsesTlsFor(endpoint) ? "https" : "http";

    public void AddMetadata(IDictionary<string, string> metadata)
    {
        foreach (var (key, value) in _metadata)
        {
            metadata[key] = value;
        }
    }

    /// <summary>
    /// The request settings for the cluster: HTTP/2 by ALPN for mesh mTLS (Istio's h2UpgradePolicy
    /// DEFAULT and UPGRADE), HTTP/1.1 with DO_NOT_UPGRADE; else the cluster protocol's own.
    /// </summary>
    /// <remarks>
    /// Through an east-west gateway the handler sees an http:// destination, so HTTP/2 must be
    /// asked for with prior knowledge (the callback's ALPN then offers h2 alone): a cluster with
    /// gateway endpoints upgrades every request to HTTP/2 (unless DO_NOT_UPGRADE), as Envoy's
    /// mesh clusters do.
    /// </remarks>
    public ForwarderRequestConfig RequestConfig(Protocol protocol, ForwarderRequestConfig plaintext, H2UpgradePolicy upgrade) =>
        _mode == UpstreamTlsMetadata.IstioMutual && protocol is Protocol.Http or Protocol.Unspecified && upgrade != H2UpgradePolicy.DoNotUpgrade
            ? (_metadata.ContainsKey(UpstreamTlsMetadata.Gateways) ? Http2ThroughGateway : Http2OverTls)
            : plaintext;

    public static UpstreamTlsPlan For(Cluster cluster, bool meshHasCa, string path, TranslationErrors errors)
    {
        var tls = cluster.Tls;
        if (tls is null)
        {
            return meshHasCa && cluster.Endpoints.Any(e => e.Mtls) ? IstioMutual(cluster, [], allEndpoints: false) : None;
        }

        if (!string.IsNullOrEmpty(tls.Sni))
        {
            errors.Add($"{path}.tls.sni", "is not supported by this proxy: the TLS server name is the request's host");
        }

        switch (tls.Mode)
        {
            case UpstreamTls.Types.Mode.Disable:
                return None;

            case UpstreamTls.Types.Mode.IstioMutual:
                if (!meshHasCa)
                {
                    errors.Add($"{path}.tls.mode", "ISTIO_MUTUAL needs the mesh CA's trust bundle, which this snapshot does not carry");
                    return None;
                }

                return IstioMutual(cluster, tls.SubjectAltNames, allEndpoints: true);

            default:
                return Originate(tls, path, errors);
        }
    }

    private static UpstreamTlsPlan IstioMutual(Cluster cluster, IEnumerable<string> subjectAltNames, bool allEndpoints)
    {
        // Istio's auto mTLS verifies the server against the identities of the service's endpoints.
        var names = subjectAltNames.Where(n => n.Length > 0).ToList();
        if (names.Count == 0)
        {
            names = [.. cluster.Endpoints.Where(e => allEndpoints || e.Mtls).SelectMany(e => e.Identities.Append(e.Identity)).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        var metadata = new Dictionary<string, string> { [UpstreamTlsMetadata.Mode] = UpstreamTlsMetadata.IstioMutual };
        var gateways = cluster.Endpoints.Where(e => e.NetworkGateway).Select(e => ClusterConventions.FormatAuthority(e.Address, e.Port)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        if (gateways.Count > 0)
        {
            metadata[UpstreamTlsMetadata.Gateways] = string.Join('\n', gateways);
            metadata[UpstreamTlsMetadata.GatewaySni] = $"outbound_.{cluster.Port}_.{cluster.Subset}_.{cluster.Service}";
        }
        if (names.Count > 0)
        {
            metadata[UpstreamTlsMetadata.SubjectAltNames] = string.Join('\n', names);
        }

        return new UpstreamTlsPlan(UpstreamTlsMetadata.IstioMutual, allEndpoints, metadata);
    }

    private static UpstreamTlsPlan Originate(UpstreamTls tls, string path, TranslationErrors errors)
    {
        var mutual = tls.Mode == UpstreamTls.Types.Mode.Mutual;
        var metadata = new Dictionary<string, string> { [UpstreamTlsMetadata.Mode] = mutual ? UpstreamTlsMetadata.Mutual : UpstreamTlsMetadata.Simple };
        if (tls.SubjectAltNames.Count > 0)
        {
            metadata[UpstreamTlsMetadata.SubjectAltNames] = string.Join('\n', tls.SubjectAltNames);
        }

        if (tls.InsecureSkipVerify)
        {
            metadata[UpstreamTlsMetadata.InsecureSkipVerify] = "true";
        }

        if (tls.CaCertificatesPem.Length > 0)
        {
            if (!HasCertificate(tls.CaCertificatesPem))
            {
                errors.Add($"{path}.tls.ca_certificates_pem", "holds no PEM certificate");
            }

            metadata[UpstreamTlsMetadata.CaCertificates] = tls.CaCertificatesPem;
        }

        if (mutual)
        {
            if (tls.ClientCertificatePem.Length == 0 || tls.PrivateKeyPem.Length == 0)
            {
                errors.Add($"{path}.tls", "MUTUAL needs a client certificate and private key (credentialName, or clientCertificate and privateKey)");
            }
            else
            {
                try
                {
                    using var _ = X509Certificate2.CreateFromPem(tls.ClientCertificatePem, tls.PrivateKeyPem);
                }
                catch (CryptographicException ex)
                {
                    errors.Add($"{path}.tls.client_certificate_pem", $"the client certificate and private key do not load together: {ex.Message}");
                }

                metadata[UpstreamTlsMetadata.ClientCertificate] = tls.ClientCertificatePem;
                metadata[UpstreamTlsMetadata.PrivateKey] = tls.PrivateKeyPem;
            }
        }

        return new UpstreamTlsPlan(metadata[UpstreamTlsMetadata.Mode], allEndpoints: true, metadata);
    }

    private static bool HasCertificate(string pem)
    {
        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(pem);
            return collection.Count > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
