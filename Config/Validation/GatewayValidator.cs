using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's Gateway rules: HTTP, HTTPS, TCP and TLS servers (TLS terminated or passed through by SNI).</summary>
internal static class GatewayValidator
{
    public static void Validate(GatewayConfig spec, ValidationContext context)
    {
        if (!IstioRules.IsDns1123Label(context.Object.Metadata.Name))
        {
            context.Error("metadata.name", $"invalid gateway name: \"{context.Object.Metadata.Name}\"");
        }

        if (spec.Servers.Count == 0)
        {
            context.Error("spec.servers", "gateway must have at least one server");
        }

        var portNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Servers.Count; i++)
        {
            var server = spec.Servers[i];
            var path = $"spec.servers[{i}]";
            ValidateServer(server, path, context);
            if (server.Port?.Name is { } name && !portNames.Add(name))
            {
                context.Error($"{path}.port.name", $"port names in servers must be unique: duplicate name {name}");
            }
        }
    }

    private static void ValidateServer(Server server, string path, ValidationContext context)
    {
        if (server.Hosts.Count == 0)
        {
            context.Error($"{path}.hosts", "server config must contain at least one host");
        }

        for (var i = 0; i < server.Hosts.Count; i++)
        {
            ValidateNamespaceSlashHost(server.Hosts[i], $"{path}.hosts[{i}]", context, isGateway: true);
        }

        var portValid = ValidatePort(server.Port, $"{path}.port", context);

        if (server.Tls is { } tls)
        {
            ValidateTls(tls, $"{path}.tls", context);
        }

        if (!portValid || server.Port?.Protocol is not { } protocol)
        {
            return;
        }

        var isTls = protocol.Equals("HTTPS", StringComparison.OrdinalIgnoreCase) || protocol.Equals("TLS", StringComparison.OrdinalIgnoreCase);
        var isHttp = protocol.Equals("HTTP", StringComparison.OrdinalIgnoreCase) || protocol.Equals("HTTP2", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("GRPC", StringComparison.OrdinalIgnoreCase);
        if (isTls && server.Tls is null)
        {
            context.Error($"{path}.tls", "server must have TLS settings for HTTPS/TLS protocols");
        }
        else if (!isTls && server.Tls is { } plainTls)
        {
            if (!isHttp)
            {
                context.Error($"{path}.tls", "server cannot have TLS settings for non HTTPS/TLS ports");
            }
            else if (plainTls.HttpsRedirect != true || plainTls.Mode is not (null or ServerTlsMode.Passthrough)
                || plainTls.CaCertificates is not null || plainTls.PrivateKey is not null || plainTls.ServerCertificate is not null)
            {
                context.Error($"{path}.tls", "server cannot have TLS settings for plain text HTTP ports");
            }
        }

    }

    private static bool ValidatePort(ServerPort? port, string path, ValidationContext context)
    {
        if (port is null)
        {
            context.Error(path, "port is required");
            return false;
        }

        var valid = true;
        if (IstioRules.Port(port.Number) is { } portError)
        {
            context.Error($"{path}.number", portError);
            valid = false;
        }

        if (string.IsNullOrEmpty(port.Protocol) || !IstioRules.IsKnownProtocol(port.Protocol))
        {
            context.Error($"{path}.protocol", $"invalid protocol \"{port.Protocol}\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
            valid = false;
        }
        else if (!IstioRules.IsHttpFamily(port.Protocol) && !IstioRules.IsL4(port.Protocol))
        {
            context.Error($"{path}.protocol", $"protocol {port.Protocol} is not supported: Mesh gateways serve HTTP, HTTP2, GRPC, HTTPS, TCP (also MONGO, MYSQL, REDIS) and TLS");
            valid = false;
        }

        if (string.IsNullOrEmpty(port.Name))
        {
            context.Error($"{path}.name", "port name must be set");
        }

        return valid;
    }

    private static void ValidateTls(ServerTlsSettings tls, string path, ValidationContext context)
    {
        switch (tls.Mode)
        {
            case ServerTlsMode.OptionalMutual:
                context.Error($"{path}.mode", "TLS mode OPTIONAL_MUTUAL is not supported (use MUTUAL)");
                return;
            case ServerTlsMode.IstioMutual:
                foreach (var (field, set) in new[]
                {
                    ("serverCertificate", tls.ServerCertificate is not null), ("privateKey", tls.PrivateKey is not null),
                    ("caCertificates", tls.CaCertificates is not null), ("credentialName", tls.CredentialName is not null),
                })
                {
                    if (set)
                    {
                        context.Error($"{path}.{field}", $"ISTIO_MUTUAL TLS cannot have associated {field}");
                    }
                }

                break;
        }

        if (tls.Mode is ServerTlsMode.Simple or ServerTlsMode.Mutual)
        {
            if (tls.CredentialName is not null && (tls.ServerCertificate is not null || tls.PrivateKey is not null))
            {
                context.Error(path, "only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified");
            }

            if (tls.CredentialName is null)
            {
                var prefix = tls.Mode == ServerTlsMode.Simple ? "SIMPLE TLS" : "MUTUAL TLS";
                if (string.IsNullOrEmpty(tls.ServerCertificate))
                {
                    context.Error($"{path}.serverCertificate", $"{prefix} requires a server certificate");
                }

                if (string.IsNullOrEmpty(tls.PrivateKey))
                {
                    context.Error($"{path}.privateKey", $"{prefix} requires a private key");
                }

                if (tls.Mode == ServerTlsMode.Mutual && string.IsNullOrEmpty(tls.CaCertificates))
                {
                    context.Error($"{path}.caCertificates", "MUTUAL TLS requires a client CA bundle");
                }
            }
        }

        if (tls.MinProtocolVersion is { } min && tls.MaxProtocolVersion is { } max && min != TlsProtocolVersion.TlsAuto && max != TlsProtocolVersion.TlsAuto && min > max)
        {
            context.Error($"{path}.minProtocolVersion", "minProtocolVersion must not be greater than maxProtocolVersion");
        }
    }

    /// <summary>
    /// Istio's <c>ValidateNamespaceSlashWildcardHostname</c>: <c>namespace/dnsName</c>; the namespace may be
    /// <c>.</c> or <c>*</c>, in a Sidecar also <c>~</c>-prefixed (an exclusion); a Gateway may give a bare
    /// host, which may also be an IP address. The dnsName is an FQDN, optionally with a <c>*.</c> wildcard.
    /// </summary>
    internal static void ValidateNamespaceSlashHost(string value, string path, ValidationContext context, bool isGateway)
    {
        var slash = value.IndexOf('/');
        if (slash < 0)
        {
            if (isGateway)
            {
                ValidateHostPart(value, path, isGateway, context);
            }
            else
            {
                context.Error(path, $"host must be of form namespace/dnsName, got {FieldPath.Quote(value)}");
            }

            return;
        }

        var (ns, host) = (value[..slash], value[(slash + 1)..]);
        if (ns.Length == 0 || host.Length == 0)
        {
            context.Error(path, "config namespace and dnsName in host entry cannot be empty");
        }

        var bare = isGateway ? ns : ns.TrimStart('~');
        if (!(bare is "" or "*" or "." || IstioRules.IsDns1123Label(bare)) || (isGateway && ns.Length == 0))
        {
            context.Error(path, $"invalid namespace value {FieldPath.Quote(ns)} in {(isGateway ? "gateway" : "sidecar")}");
        }

        if (host.Length > 0)
        {
            ValidateHostPart(host, path, isGateway, context);
        }
    }

    private static void ValidateHostPart(string host, string path, bool isGateway, ValidationContext context)
    {
        if (host != "*" && !host.Contains('.'))
        {
            context.Error(path, $"short names (non FQDN) are not allowed: {FieldPath.Quote(host)}");
        }

        if (IstioRules.WildcardDomain(host) is { } error && !(isGateway && IstioRules.IsIpAddress(host)))
        {
            context.Error(path, error);
        }

        if (host.Contains('*') && host.Length != 1 && !host.StartsWith("*.", StringComparison.Ordinal))
        {
            context.Error(path, $"partial wildcard {FieldPath.Quote(host)} not allowed");
        }
    }
}
