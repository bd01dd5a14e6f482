using System.Collections.Frozen;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Resolves, per listener, how requests find their virtual host: outbound bindings get theirs
/// fixed, the HTTP_PROXY listener gets domain tables per service port, gateway listeners a table
/// over the Gateway ports they serve. Reports domains claimed by two virtual hosts.
/// </summary>
internal static class ListenerRoutesBuilder
{
    public sealed record ParsedVirtualHost(int Index, VirtualHostModel Model, IReadOnlyList<DomainName> Domains);

    public static ListenerRoutes[] Build(
        ListenerSet listeners,
        IReadOnlyList<ParsedVirtualHost> virtualHosts,
        IReadOnlyDictionary<string, UpstreamCluster> clusters,
        MeshProxyMode mode,
        TranslationErrors errors)
    {
        // Sidecars address services as host:port, so an explicit port in a domain selects the
        // table; gateways route by host within the listener's ports, so the port is ignored.
        var honorDomainPorts = mode == MeshProxyMode.Sidecar;
        var builders = new Dictionary<int, DomainTable.Builder>();
        var entries = new Dictionary<int, List<(string Host, VirtualHostModel VirtualHost)>>();
        foreach (var vh in virtualHosts)
        {
            foreach (var domain in vh.Domains)
            {
                var port = honorDomainPorts ? domain.Port ?? vh.Model.Port : vh.Model.Port;
                if (!builders.TryGetValue(port, out var builder))
                {
                    builders[port] = builder = new DomainTable.Builder();
                    entries[port] = [];
                }

                var owner = builder.TryAdd(domain.Host, vh.Model);
                if (owner is not null)
                {
                    errors.Add($"virtual_hosts[{vh.Index}] ({vh.Model.Name}).domains", $"'{domain.Text}' on port {port} is also claimed by virtual host '{owner.Name}'");
                }
                else
                {
                    entries[port].Add((domain.Host, vh.Model));
                }
            }
        }

        var tables = builders.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Build());
        var result = new ListenerRoutes[listeners.All.Count];
        foreach (var listener in listeners.All)
        {
            result[listener.Index] = listener.Kind switch
            {
                ListenerKind.Inbound => new ListenerRoutes(listener) { InboundCluster = clusters[listener.InboundClusterName!] },
                ListenerKind.Outbound => new ListenerRoutes(listener)
                {
                    BoundVirtualHost = ResolveBinding(listener.UpstreamHost!, listener.UpstreamPort, virtualHosts, tables),
                    PassthroughAuthority = listener.UpstreamPort == 0 ? listener.UpstreamHost : $"{listener.UpstreamHost}:{listener.UpstreamPort}",
                },
                ListenerKind.HttpProxy => new ListenerRoutes(listener) { HostsByPort = tables },
                ListenerKind.Gateway => new ListenerRoutes(listener) { Hosts = MergeGatewayPorts(listener.GatewayPorts, entries) },
                _ => new ListenerRoutes(listener),
            };
        }

        return result;
    }

    /// <summary>The virtual host an outbound binding serves; port 0 means the first virtual host (snapshot order) of the host.</summary>
    private static VirtualHostModel? ResolveBinding(string host, int port, IReadOnlyList<ParsedVirtualHost> virtualHosts, FrozenDictionary<int, DomainTable> tables)
    {
        if (port != 0)
        {
            return tables.TryGetValue(port, out var table) ? table.Find(host) : null;
        }

        foreach (var vh in virtualHosts)
        {
            if (tables.TryGetValue(vh.Model.Port, out var table) && table.Find(host) == vh.Model)
            {
                return vh.Model;
            }
        }

        return null;
    }

    /// <summary>A gateway listener serves several Gateway port numbers; earlier ports win a shared host.</summary>
    private static DomainTable MergeGatewayPorts(IReadOnlyList<int> ports, Dictionary<int, List<(string Host, VirtualHostModel VirtualHost)>> entries)
    {
        var merged = new DomainTable.Builder();
        foreach (var port in ports)
        {
            if (entries.TryGetValue(port, out var list))
            {
                foreach (var (host, vh) in list)
                {
                    merged.AddIfFree(host, vh);
                }
            }
        }

        return merged.Build();
    }
}
