using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// The TLS side of one Gateway server, parsed once per snapshot: the certificate context every
/// handshake uses, the roots client certificates must chain to, the accepted protocol versions.
/// </summary>
internal sealed class GatewayTlsModel
{
    public required GatewayTlsMode Mode { get; init; }

    /// <summary>The named credential the certificate came from (diagnostics), or null for file paths / ISTIO_MUTUAL.</summary>
    public string? CredentialName { get; init; }

    /// <summary>SIMPLE/MUTUAL: the server certificate (leaf); null while it is unavailable or for ISTIO_MUTUAL.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>SIMPLE/MUTUAL: leaf + intermediates, built once for every handshake.</summary>
    public SslStreamCertificateContext? CertificateContext { get; init; }

    /// <summary>MUTUAL: the roots client certificates must chain to.</summary>
    public X509Certificate2Collection? ClientRoots { get; init; }

    /// <summary>MUTUAL/ISTIO_MUTUAL: a client certificate must carry one of these SANs (empty: any).</summary>
    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Why handshakes for this server are refused although the config is valid (a credential the
    /// control plane could not find): the server stays configured and works once the secret exists.
    /// </summary>
    public string? Unavailable { get; init; }

    public bool RequiresClientCertificate => Mode is GatewayTlsMode.Mutual or GatewayTlsMode.IstioMutual;
}
