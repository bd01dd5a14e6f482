using System.Collections.Frozen;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// Gateway mode's listener routes. Plaintext servers on one Gateway port share a route table
/// (Istio merges them); each TLS server has its own, selected by SNI (passthrough and TCP-over-TLS
/// servers are in the SNI table too; the L4 feature serves their connections). Hosts of an httpsRedirect
/// server that no VirtualService serves get a virtual host that only redirects, as Istio adds.
/// </summary>
internal static class GatewayRoutesBuilder
{
    /// <summary>Sets the routes (<see cref="GatewayListenerRoutes"/>) of every gateway listener.</summary>
    public static void Build(ListenerTranslation translation, GatewayModel gateway)
    {
        var listeners = translation.Listeners;
        var virtualHosts = translation.VirtualHosts;
        var errors = translation.Errors;
        var plaintext = new Dictionary<int, (DomainTable.Builder Builder, List<(string Host, VirtualHostModel VirtualHost)> Entries)>();
        var tls = new Dictionary<string, DomainTable.Builder>(StringComparer.Ordinal);
        foreach (var vh in virtualHosts)
        {
            var server = gateway.Find(vh.Model.GatewayServer);
            if (server is { TerminatesTls: true })
            {
                if (!tls.TryGetValue(server.Name, out var builder))
                {
                    tls[server.Name] = builder = new DomainTable.Builder();
                }

                foreach (var domain in vh.Domains)
                {
                    if (builder.TryAdd(domain.Host, vh.Model) is { } owner)
                    {
                        errors.Add($"virtual_hosts[{vh.Index}] ({vh.Model.Name}).domains", $"'{domain.Text}' of gateway server '{server.Name}' is also claimed by virtual host '{owner.Name}'");
                    }
                }

                continue;
            }

            var port = PlaintextTable(plaintext, vh.Model.Port);
            foreach (var domain in vh.Domains)
            {
                if (port.Builder.TryAdd(domain.Host, vh.Model) is { } owner)
                {
                    errors.Add($"virtual_hosts[{vh.Index}] ({vh.Model.Name}).domains", $"'{domain.Text}' on port {vh.Model.Port} is also claimed by virtual host '{owner.Name}'");
                }
                else
                {
                    port.Entries.Add((domain.Host, vh.Model));
                }
            }
        }

        AddRedirectHosts(gateway, plaintext);

        var gatewayListeners = listeners.OfKind(ListenerKind.Gateway).ToList();
        var sniTables = new Dictionary<MeshListener, SniTable>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var listener in gatewayListeners)
        {
            sniTables[listener] = BuildSniTable(listener, gateway, errors, reported);
        }

        int? httpsPort = gatewayListeners.FirstOrDefault(l => sniTables[l].Servers.Any(s => s.TerminatesTls && !s.IsNetwork))?.BoundPort;
        foreach (var listener in gatewayListeners)
        {
            var sni = sniTables[listener];
            translation.SetRoutes(new ListenerRoutes(listener)
            {
                Selector = new GatewayListenerRoutes
                {
                    // Plaintext connections to a port with a TCP server are that server's (Istio's TCP
                    // filter chain matches any transport); its HTTP servers then answer over TLS only.
                    TcpServer = listener.GatewayPorts.Select(p => gateway.Servers.FirstOrDefault(s => s.Port == p && s.IsNetwork && !s.AcceptsTls)).FirstOrDefault(s => s is not null),
                    PlaintextHosts = MergePorts(listener.GatewayPorts, plaintext),
                    TlsServers = sni,
                    TlsHosts = sni.Servers.ToFrozenDictionary(
                        s => s.Name,
                        s => new GatewayServerRoutes(s, tls.TryGetValue(s.Name, out var builder) ? builder.Build() : DomainTable.Empty),
                        StringComparer.Ordinal),
                    HttpsPort = httpsPort,
                },
            });
        }
    }

    private static (DomainTable.Builder Builder, List<(string Host, VirtualHostModel VirtualHost)> Entries) PlaintextTable(
        Dictionary<int, (DomainTable.Builder, List<(string, VirtualHostModel)>)> tables, int port)
    {
        if (!tables.TryGetValue(port, out var table))
        {
            tables[port] = table = (new DomainTable.Builder(), []);
        }

        return table;
    }

    private static void AddRedirectHosts(GatewayModel gateway, Dictionary<int, (DomainTable.Builder Builder, List<(string Host, VirtualHostModel VirtualHost)> Entries)> plaintext)
    {
        foreach (var server in gateway.Servers.Where(s => s.HttpsRedirect))
        {
            var port = PlaintextTable(plaintext, server.Port);
            var redirect = new VirtualHostModel($"{server.Name}/https-redirect", server.Port, server.Hosts, [])
            {
                GatewayServer = server.Name,
                RequireTls = true,
            };
            foreach (var host in server.Hosts)
            {
                // A VirtualService's virtual host for the same name already redirects (it belongs to this server).
                if (port.Builder.TryAdd(host, redirect) is null)
                {
                    port.Entries.Add((host, redirect));
                }
            }
        }
    }

    private static SniTable BuildSniTable(MeshListener listener, GatewayModel gateway, TranslationErrors errors, HashSet<string> reported)
    {
        var builder = new SniTable.Builder();
        foreach (var port in listener.GatewayPorts)
        {
            var claimed = new Dictionary<string, GatewayServerModel>(StringComparer.OrdinalIgnoreCase);
            foreach (var server in gateway.Servers.Where(s => s.AcceptsTls && s.Port == port))
            {
                foreach (var host in server.Hosts)
                {
                    if (claimed.TryGetValue(host, out var other) && other != server)
                    {
                        var error = $"'{host}' on port {port} is also served by gateway server '{other.Name}'";
                        if (reported.Add($"{server.Name}|{error}"))
                        {
                            errors.Add($"gateway_servers[{server.Index}] ({server.Name}).hosts", error);
                        }

                        continue;
                    }

                    claimed[host] = server;

                    // A host an earlier port of this listener already serves stays with that port.
                    builder.TryAdd(host, server);
                }
            }
        }

        return builder.Build();
    }

    private static DomainTable MergePorts(IReadOnlyList<int> ports, Dictionary<int, (DomainTable.Builder Builder, List<(string Host, VirtualHostModel VirtualHost)> Entries)> plaintext)
    {
        var merged = new DomainTable.Builder();
        foreach (var port in ports)
        {
            if (plaintext.TryGetValue(port, out var table))
            {
                foreach (var (host, vh) in table.Entries)
                {
                    merged.AddIfFree(host, vh);
                }
            }
        }

        return merged.Build();
    }
}
