using System.Security.Cryptography.X509Certificates;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>Gateway servers and virtual hosts as the control plane's GatewayTranslator pushes them.</summary>
public static class GatewaySnapshots
{
    public static GatewayServer HttpServer(string name, uint port, string[] hosts, bool httpsRedirect = false)
    {
        var server = new GatewayServer { Name = name, Port = port, PortName = "http", Protocol = Protocol.Http };
        server.Hosts.Add(hosts);
        if (httpsRedirect)
        {
            server.Tls = new GatewayTls { HttpsRedirect = true };
        }

        return server;
    }

    /// <summary>An HTTPS server terminating with <paramref name="certificate"/> (null: the credential was not found).</summary>
    public static GatewayServer HttpsServer(
        string name,
        uint port,
        string[] hosts,
        X509Certificate2? certificate,
        GatewayTls.Types.Mode mode = GatewayTls.Types.Mode.Simple,
        X509Certificate2? clientCa = null,
        string credentialName = "")
    {
        var server = new GatewayServer { Name = name, Port = port, PortName = "https", Protocol = Protocol.Https };
        server.Hosts.Add(hosts);
        server.Tls = new GatewayTls
        {
            Mode = mode,
            CredentialName = credentialName,
            ServerCertificatePem = certificate is null ? "" : TestCertificates.CertificatePem(certificate),
            PrivateKeyPem = certificate is null ? "" : TestCertificates.KeyPem(certificate),
            CaCertificatesPem = clientCa is null ? "" : TestCertificates.CertificatePem(clientCa),
        };
        return server;
    }

    /// <summary>A virtual host of <paramref name="server"/> (its port) with Istio's gateway domains.</summary>
    public static VirtualHost HostOf(GatewayServer server, string[] domains, params Route[] routes)
    {
        var vh = new VirtualHost { Name = $"{server.Name}/{domains[0]}", Port = server.Port, GatewayServer = server.Name };
        foreach (var domain in domains)
        {
            vh.Domains.Add(domain);
            if (domain != "*")
            {
                vh.Domains.Add($"{domain}:{server.Port}");
            }
        }

        vh.Routes.Add(routes);
        return vh;
    }

    public static ProxySnapshot WithServers(this ProxySnapshot snapshot, params GatewayServer[] servers)
    {
        snapshot.GatewayServers.Add(servers);
        return snapshot;
    }
}
