namespace Mesh.Proxy.Security.Tls;

/// <summary>
/// Keys of the YARP cluster metadata that carry a cluster's upstream TLS settings from the
/// translator to <see cref="UpstreamTlsConfigurator"/> (YARP builds a new client when they change).
/// </summary>
internal static class UpstreamTlsMetadata
{
    /// <summary>ISTIO_MUTUAL (mesh mTLS, explicit or auto), SIMPLE or MUTUAL; absent = plaintext.</summary>
    public const string Mode = "mesh.tls.mode";

    /// <summary>Accepted server identities, newline-separated (SPIFFE ids or DNS/URI SANs).</summary>
    public const string SubjectAltNames = "mesh.tls.sans";

    /// <summary>PEM roots for SIMPLE/MUTUAL; absent = the system's roots.</summary>
    public const string CaCertificates = "mesh.tls.ca";

    public const string ClientCertificate = "mesh.tls.cert";

    public const string PrivateKey = "mesh.tls.key";

    public const string InsecureSkipVerify = "mesh.tls.insecure";

    /// <summary>
    /// Mesh mTLS through east-west gateways: the gateways' authorities (<c>host:port</c>,
    /// newline-separated), dialled as http:// destinations whose TLS the connect callback originates
    /// with the SNI in <see cref="GatewaySni"/>.
    /// </summary>
    public const string Gateways = "mesh.tls.gateways";

    /// <summary>Istio's <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;service&gt;</c> SNI, by which an AUTO_PASSTHROUGH gateway picks the cluster.</summary>
    public const string GatewaySni = "mesh.tls.gateway-sni";

    public const string IstioMutual = "ISTIO_MUTUAL";
    public const string Simple = "SIMPLE";
    public const string Mutual = "MUTUAL";
}
