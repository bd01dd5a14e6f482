using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// A connection feature set on inbound connections that arrived over mesh mTLS: the caller's
/// verified SPIFFE identity (Istio's source.principal). Absent on plaintext connections. Read it
/// per request with <c>HttpContext.Features.Get&lt;MeshPeerIdentityFeature&gt;()</c> (telemetry:
/// connection_security_policy = mutual_tls when present).
/// </summary>
public sealed class MeshPeerIdentityFeature
{
    private string? _forwardedClientCert;

    public MeshPeerIdentityFeature(SpiffeIdentity identity, X509Certificate2 certificate, SpiffeIdentity localIdentity, string? serverName)
    {
        Identity = identity;
        Certificate = certificate;
        LocalIdentity = localIdentity;
        ServerName = serverName;
    }

    public SpiffeIdentity Identity { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>This proxy's identity as presented on the connection.</summary>
    public SpiffeIdentity LocalIdentity { get; }

    /// <summary>The TLS server name (SNI) the caller asked for, Istio's connection.sni.</summary>
    public string? ServerName { get; }

    /// <summary>
    /// The x-forwarded-client-cert value the app receives (Envoy's SANITIZE_SET form:
    /// <c>By=&lt;own id&gt;;Hash=&lt;sha256 of the peer certificate&gt;;Subject="";URI=&lt;peer id&gt;</c>), built once per connection.
    /// </summary>
    public string ForwardedClientCert => _forwardedClientCert ??=
        $"By={LocalIdentity.Uri};Hash={Convert.ToHexStringLower(SHA256.HashData(Certificate.RawDataMemory.Span))};Subject=\"{Certificate.Subject}\";URI={Identity.Uri}";
}
