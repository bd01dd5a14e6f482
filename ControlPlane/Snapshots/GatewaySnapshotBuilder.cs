using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Ingress routing of a gateway proxy: the servers of every Gateway whose selector matches the
/// proxy's labels, and per server the virtual hosts of the VirtualServices bound to that
/// Gateway (<c>gateways: [name]</c> or <c>ns/name</c>). A virtual host's domains are the
/// VirtualService hosts intersected with the server hosts (a server host <c>ns/host</c> only
/// admits VirtualServices of that namespace).
/// </summary>
internal static class GatewaySnapshotBuilder
{
    public static void Build(MeshModel model, Wire.Node node, RouteContextFactory contexts, Wire.ProxySnapshot snapshot)
    {
        var settings = contexts.Settings;
        foreach (var gateway in Selecting(model, node))
        {
            var gatewayKey = $"{gateway.Namespace}/{gateway.Name}";
            for (var i = 0; i < gateway.Spec.Servers.Count; i++)
            {
                var server = gateway.Spec.Servers[i];
                var port = server.Port?.Number ?? 0;
                var serverName = ServerName(gateway, server, i);
                snapshot.GatewayServers.Add(Server(server, serverName, settings));
                if (L4GatewaySnapshotBuilder.IsL4(server))
                {
                    // TCP and TLS servers have filter chains (l4_listeners), not virtual hosts.
                    continue;
                }

                var context = contexts.Create(port, gatewayKey);

                // Group the bound VirtualServices by the domains they serve on this server.
                var domains = new SortedDictionary<string, List<ConfigResource<VirtualServiceConfig>>>(StringComparer.Ordinal);
                foreach (var virtualService in model.VirtualServices.Where(vs => context.IsBoundTo(vs.Spec.Gateways, vs.Namespace)))
                {
                    foreach (var domain in Intersection(server, gateway.Namespace, virtualService))
                    {
                        if (!domains.TryGetValue(domain, out var list))
                        {
                            domains[domain] = list = [];
                        }

                        list.Add(virtualService);
                    }
                }

                foreach (var group in domains.GroupBy(d => string.Join(",", d.Value.Select(v => v.Object.Key)), StringComparer.Ordinal))
                {
                    var virtualHost = new Wire.VirtualHost
                    {
                        Name = $"{serverName}/{group.First().Key}",
                        Port = port,
                        GatewayServer = serverName,
                    };
                    foreach (var domain in group.Select(g => g.Key))
                    {
                        virtualHost.Domains.Add(domain);
                        if (domain != "*")
                        {
                            virtualHost.Domains.Add($"{domain}:{port}");
                        }
                    }

                    foreach (var virtualService in group.First().Value)
                    {
                        virtualHost.Routes.AddRange(RouteSnapshotBuilder.Build(virtualService, context));
                    }

                    snapshot.VirtualHosts.Add(virtualHost);
                }
            }
        }
    }

    /// <summary>The Gateways whose selector matches the proxy's labels.</summary>
    internal static IEnumerable<ConfigResource<GatewayConfig>> Selecting(MeshModel model, Wire.Node node) =>
        model.Gateways.Where(g => g.Spec.Selector.All(l => node.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    /// <summary><c>&lt;gateway&gt;.&lt;namespace&gt;/&lt;port name or server index&gt;</c>.</summary>
    internal static string ServerName(ConfigResource<GatewayConfig> gateway, Server server, int index) =>
        $"{gateway.QualifiedName}/{(string.IsNullOrEmpty(server.Port?.Name) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : server.Port!.Name)}";

    /// <summary>The VirtualService hosts a server admits (server hosts ∩ VirtualService hosts, <c>ns/</c> prefixes applied).</summary>
    internal static IEnumerable<string> Intersection(Server server, string gatewayNamespace, ConfigResource<VirtualServiceConfig> virtualService)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var serverHost in server.Hosts)
        {
            var slash = serverHost.IndexOf('/');
            var ns = slash < 0 ? "*" : serverHost[..slash];
            var host = slash < 0 ? serverHost : serverHost[(slash + 1)..];
            if (ns == ".")
            {
                ns = gatewayNamespace;
            }

            if (ns != "*" && ns != virtualService.Namespace)
            {
                continue;
            }

            foreach (var vsHost in virtualService.Spec.Hosts)
            {
                if (HostNames.Intersect(host.ToLowerInvariant(), vsHost.ToLowerInvariant()) is { } domain)
                {
                    result.Add(domain);
                }
            }
        }

        return result;
    }

    private static Wire.GatewayServer Server(Server server, string name, MeshSettings settings)
    {
        var result = new Wire.GatewayServer
        {
            Name = name,
            Port = server.Port?.Number ?? 0,
            PortName = server.Port?.Name ?? "",
            Protocol = ServiceIndex.ProtocolOf(server.Port?.Protocol),
        };
        result.Hosts.AddRange(server.Hosts.Select(h => h.Contains('/') ? h[(h.IndexOf('/') + 1)..] : h));
        if (server.Tls is { } tls)
        {
            // PASSTHROUGH on a plaintext HTTP server is only the enum's zero value next to httpsRedirect.
            var mode = L4GatewaySnapshotBuilder.TlsMode(server);
            result.Tls = Tls(tls, mode is ServerTlsMode.Passthrough or ServerTlsMode.AutoPassthrough && !L4GatewaySnapshotBuilder.IsL4(server) ? null : mode, settings);
        }

        return result;
    }

    /// <summary>A terminating server's TLS (Gateway API listeners: the mode their TLS settings name).</summary>
    internal static Wire.GatewayTls Tls(ServerTlsSettings tls, MeshSettings settings) => Tls(tls, tls.Mode, settings);

    private static Wire.GatewayTls Tls(ServerTlsSettings tls, ServerTlsMode? mode, MeshSettings settings)
    {
        var result = new Wire.GatewayTls
        {
            Mode = mode switch
            {
                ServerTlsMode.Simple => Wire.GatewayTls.Types.Mode.Simple,
                ServerTlsMode.Mutual => Wire.GatewayTls.Types.Mode.Mutual,
                ServerTlsMode.IstioMutual => Wire.GatewayTls.Types.Mode.IstioMutual,
                ServerTlsMode.Passthrough => Wire.GatewayTls.Types.Mode.Passthrough,
                ServerTlsMode.AutoPassthrough => Wire.GatewayTls.Types.Mode.AutoPassthrough,
                _ => Wire.GatewayTls.Types.Mode.None,
            },
            HttpsRedirect = tls.HttpsRedirect ?? false,
            CredentialName = tls.CredentialName ?? "",
            MinProtocolVersion = tls.MinProtocolVersion is { } min ? Config.Loading.IstioEnum.Name(min) : "",
            MaxProtocolVersion = tls.MaxProtocolVersion is { } max ? Config.Loading.IstioEnum.Name(max) : "",
        };
        result.SubjectAltNames.AddRange(tls.SubjectAltNames);
        if (!string.IsNullOrEmpty(tls.CredentialName))
        {
            if (settings.CredentialLookup?.Invoke(tls.CredentialName) is { } credential)
            {
                result.ServerCertificatePem = credential.CertificatePem;
                result.PrivateKeyPem = credential.PrivateKeyPem;
                result.CaCertificatesPem = credential.CaCertificatesPem ?? "";
            }
        }
        else if (settings.PemFileReader is { } read)
        {
            result.ServerCertificatePem = string.IsNullOrEmpty(tls.ServerCertificate) ? "" : read(tls.ServerCertificate) ?? "";
            result.PrivateKeyPem = string.IsNullOrEmpty(tls.PrivateKey) ? "" : read(tls.PrivateKey) ?? "";
            result.CaCertificatesPem = string.IsNullOrEmpty(tls.CaCertificates) ? "" : read(tls.CaCertificates) ?? "";
        }

        return result;
    }
}
