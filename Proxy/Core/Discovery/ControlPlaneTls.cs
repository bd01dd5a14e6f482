using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Identity;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// How a proxy's connections to the control plane (discovery and the CA) verify it when its address is
/// https, as Istio's proxies verify istiod on 15012: the certificate must chain to the mesh roots of
/// <see cref="ControlPlaneOptions.RootCertFile"/> (else the system's) and carry
/// <see cref="ControlPlaneOptions.ServerName"/>. The bootstrap token travels in the request headers,
/// so nothing of it is sent unless the handshake, and with it this check, succeeded.
/// </summary>
public static class ControlPlaneTls
{
    /// <summary>Sets the handler's TLS for the control plane; nothing for an http address.</summary>
    public static SocketsHttpHandler Configure(SocketsHttpHandler handler, ControlPlaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Address.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
        {
            return handler;
        }

        var roots = options.RootCertFile is { Length: > 0 } file ? LoadRoots(file) : null;
        string[] expected = [options.ServerName];
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            TargetHost = options.ServerName,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                ServerCertificateVerifier.AcceptServer(certificate, chain, errors, roots, expected),
        };
        return handler;
    }

    private static X509Certificate2Collection LoadRoots(string file)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(file);
        return roots.Count > 0 ? roots : throw new InvalidOperationException($"Mesh:ControlPlane:RootCertFile '{file}' holds no certificate.");
    }
}
