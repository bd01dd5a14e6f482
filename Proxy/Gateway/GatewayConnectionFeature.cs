using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// A connection feature on gateway connections that terminated TLS: the server the client's SNI
/// selected and, for MUTUAL/ISTIO_MUTUAL, the verified client certificate. Absent on plaintext
/// connections. Requests route among that server's virtual hosts only.
/// </summary>
internal sealed class GatewayConnectionFeature
{
    public GatewayConnectionFeature(string serverName, string? sni)
    {
        ServerName = serverName;
        Sni = sni;
    }

    /// <summary>The Gateway server's name (looked up again in each request's snapshot).</summary>
    public string ServerName { get; }

    /// <summary>The TLS server name the client sent (null without SNI).</summary>
    public string? Sni { get; }

    /// <summary>The client certificate that passed verification (MUTUAL/ISTIO_MUTUAL), else null.</summary>
    public X509Certificate2? ClientCertificate { get; internal set; }
}
