using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Net.Security;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// Parses <c>gateway_servers</c> into <see cref="GatewayModel"/>: certificates and keys into TLS
/// contexts, client CA bundles, protocol versions. Malformed material rejects the snapshot (as
/// Envoy rejects a listener with a bad inline certificate), while material the control plane
/// could not find leaves the server configured but refusing handshakes until it appears.
/// </summary>
internal static class GatewayServerTranslator
{
    public static GatewayModel Translate(ProxySnapshot snapshot, TranslationErrors errors)
    {
        var servers = new List<GatewayServerModel>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < snapshot.GatewayServers.Count; i++)
        {
            var server = snapshot.GatewayServers[i];
            var path = $"gateway_servers[{i}] ({server.Name})";
            if (string.IsNullOrEmpty(server.Name))
            {
                errors.Add($"gateway_servers[{i}].name", "must not be empty");
                continue;
            }

            if (!names.Add(server.Name))
            {
                errors.Add($"{path}.name", "gateway server name is used twice");
                continue;
            }

            if (Translate(server, i, path, errors) is { } model)
            {
                servers.Add(model);
            }
        }

        return servers.Count == 0 ? GatewayModel.Empty : new GatewayModel(servers);
    }

    private static GatewayServerModel? Translate(GatewayServer server, int index, string path, TranslationErrors errors)
    {
        if (server.Port is 0 or > 65535)
        {
            errors.Add($"{path}.port", $"must be 1-65535 (got {server.Port})");
            return null;
        }

        var hosts = new List<string>();
        foreach (var host in server.Hosts)
        {
            if (DomainName.TryParse(host, out var domain, out var error) && domain.Port is null)
            {
                hosts.Add(domain.Host);
            }
            else
            {
                errors.Add($"{path}.hosts", error ?? $"'{host}' must be a host name without a port");
            }
        }

        var mode = server.Tls?.Mode ?? GatewayTls.Types.Mode.None;
        var passthrough = mode is GatewayTls.Types.Mode.Passthrough or GatewayTls.Types.Mode.AutoPassthrough;
        var terminates = mode is GatewayTls.Types.Mode.Simple or GatewayTls.Types.Mode.Mutual or GatewayTls.Types.Mode.IstioMutual;
        if (passthrough && server.Protocol is not (Protocol.Https or Protocol.Tls))
        {
            errors.Add($"{path}.tls.mode", $"{mode} needs protocol TLS or HTTPS (the server's protocol is {server.Protocol.ToString().ToUpperInvariant()})");
            return null;
        }

        if (server.Protocol is Protocol.Https or Protocol.Tls && !terminates && !passthrough)
        {
            errors.Add($"{path}.tls.mode", $"a server of protocol {server.Protocol.ToString().ToUpperInvariant()} needs tls.mode PASSTHROUGH, AUTO_PASSTHROUGH, SIMPLE, MUTUAL or ISTIO_MUTUAL");
            return null;
        }

        if (terminates && server.Protocol is not (Protocol.Https or Protocol.Tls))
        {
            errors.Add($"{path}.tls.mode", $"TLS termination needs protocol HTTPS or TLS (the server's protocol is {server.Protocol.ToString().ToUpperInvariant()})");
            return null;
        }

        GatewayTlsModel? tls = null;
        if (terminates)
        {
            tls = TranslateTls(server.Tls!, $"{path}.tls", errors);
            if (tls is null)
            {
                return null;
            }
        }

        return new GatewayServerModel
        {
            Name = server.Name,
            Index = index,
            Port = (int)server.Port,
            Protocol = server.Protocol,
            Hosts = hosts,

            // On a TLS server every request is already https; Istio's redirect only acts on plaintext.
            HttpsRedirect = !terminates && !passthrough && server.Tls is { HttpsRedirect: true },
            Tls = tls,
            IsNetwork = server.Protocol is Protocol.Tcp or Protocol.Tls || passthrough,
            Passthrough = passthrough,
        };
    }

    private static GatewayTlsModel? TranslateTls(GatewayTls tls, string path, TranslationErrors errors)
    {
        var failed = errors.Count;
        var protocols = TlsVersions.Range(tls.MinProtocolVersion, tls.MaxProtocolVersion, path, errors);
        var credential = string.IsNullOrEmpty(tls.CredentialName) ? null : tls.CredentialName;
        var mode = tls.Mode switch
        {
            GatewayTls.Types.Mode.Simple => GatewayTlsMode.Simple,
            GatewayTls.Types.Mode.Mutual => GatewayTlsMode.Mutual,
            GatewayTls.Types.Mode.IstioMutual => GatewayTlsMode.IstioMutual,
            _ => (GatewayTlsMode?)null,
        };
        if (mode is null)
        {
            errors.Add($"{path}.mode", $"unknown TLS mode {tls.Mode}");
            return null;
        }

        if (mode == GatewayTlsMode.IstioMutual)
        {
            return errors.Count > failed ? null : new GatewayTlsModel
            {
                Mode = GatewayTlsMode.IstioMutual,
                SubjectAltNames = [.. tls.SubjectAltNames],
                Protocols = protocols,
            };
        }

        var source = credential is null ? "the certificate files" : $"credential '{credential}'";
        string? unavailable = null;
        X509Certificate2? certificate = null;
        SslStreamCertificateContext? context = null;
        if (tls.ServerCertificatePem.Length == 0 || tls.PrivateKeyPem.Length == 0)
        {
            unavailable = tls.ServerCertificatePem.Length == 0 && tls.PrivateKeyPem.Length == 0
                ? $"the control plane found no certificate and key for {source}"
                : $"the control plane found {(tls.ServerCertificatePem.Length == 0 ? "no certificate" : "no private key")} for {source}";
        }
        else
        {
            (certificate, context) = ParseServerCertificate(tls.ServerCertificatePem, tls.PrivateKeyPem, source, path, errors);
        }

        X509Certificate2Collection? roots = null;
        if (mode == GatewayTlsMode.Mutual)
        {
            if (tls.CaCertificatesPem.Length == 0)
            {
                unavailable ??= $"the control plane found no client CA certificates (ca.crt) for {source}";
            }
            else
            {
                roots = ParseRoots(tls.CaCertificatesPem, $"{path}.ca_certificates_pem", errors);
            }
        }

        if (errors.Count > failed)
        {
            return null;
        }

        return new GatewayTlsModel
        {
            Mode = mode.Value,
            CredentialName = credential,
            Certificate = unavailable is null ? certificate : null,
            CertificateContext = unavailable is null ? context : null,
            ClientRoots = roots,
            SubjectAltNames = [.. tls.SubjectAltNames],
            Protocols = protocols,
            Unavailable = unavailable,
        };
    }

    private static (X509Certificate2?, SslStreamCertificateContext?) ParseServerCertificate(string certificatePem, string keyPem, string source, string path, TranslationErrors errors)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(certificatePem);
        }
        catch (CryptographicException ex)
        {
            errors.Add($"{path}.server_certificate_pem", $"{source}: not a PEM certificate ({ex.Message})");
            return (null, null);
        }

        if (chain.Count == 0)
        {
            errors.Add($"{path}.server_certificate_pem", $"{source}: holds no PEM certificate");
            return (null, null);
        }

        X509Certificate2 leaf;
        try
        {
            // The first certificate is the leaf (the order of a Kubernetes TLS secret's tls.crt); the rest is its chain.
            leaf = X509Certificate2.CreateFromPem(chain[0].ExportCertificatePem(), keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            errors.Add($"{path}.private_key_pem", $"{source}: the private key is unreadable or does not match the certificate ({ex.Message})");
            return (null, null);
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        // offline: the chain is complete as given; nothing is fetched during handshakes.
        return (leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
    }

    private static X509Certificate2Collection? ParseRoots(string pem, string path, TranslationErrors errors)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            errors.Add(path, $"not a PEM certificate bundle ({ex.Message})");
            return null;
        }

        if (roots.Count == 0)
        {
            errors.Add(path, "holds no PEM certificate");
            return null;
        }

        return roots;
    }
}
