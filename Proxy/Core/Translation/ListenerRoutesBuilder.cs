using System.Collections.Frozen;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Resolves, per sidecar listener, how requests find their virtual host: outbound bindings get
/// theirs fixed, the HTTP_PROXY listener gets domain tables per service port. Reports domains
/// claimed by two virtual hosts. (Gateway listeners are routed by the Gateway feature.)
/// </summary>
internal static class ListenerRoutesBuilder
{
    /// <summary>Sets the routes of the sidecar's listeners (inbound, outbound bindings, HTTP_PROXY).</summary>
    public static void Build(ListenerTranslation translation, IReadOnlyDictionary<string, UpstreamCluster> clusters, CaptureTable capture)
    {
        var virtualHosts = translation.VirtualHosts;
        var errors = translation.Errors;

        // Sidecars address services as host:port, so an explicit port in a domain selects the table.
        var builders = new Dictionary<int, DomainTable.Builder>();
        foreach (var vh in virtualHosts)
        {
            foreach (var domain in vh.Domains)
            {
                var port = domain.Port ?? vh.Model.Port;
                if (!builders.TryGetValue(port, out var builder))
                {
                    builders[port] = builder = new DomainTable.Builder();
                }

                if (builder.TryAdd(domain.Host, vh.Model) is { } owner)
                {
                    errors.Add($"virtual_hosts[{vh.Index}] ({vh.Model.Name}).domains", $"'{domain.Text}' on port {port} is also claimed by virtual host '{owner.Name}'");
                }
            }
        }

        var tables = builders.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Build());
        foreach (var listener in translation.Listeners.All)
        {
            var routes = listener.Kind switch
            {
                ListenerKind.Inbound => new ListenerRoutes(listener) { InboundCluster = clusters[listener.InboundClusterName!] },
                ListenerKind.Outbound => new ListenerRoutes(listener)
                {
                    BoundVirtualHost = ResolveBinding(listener.UpstreamHost!, listener.UpstreamPort, virtualHosts, tables),
                    PassthroughAuthority = listener.UpstreamPort == 0 ? listener.UpstreamHost : $"{listener.UpstreamHost}:{listener.UpstreamPort}",
                },
                ListenerKind.HttpProxy => new ListenerRoutes(listener) { HostsByPort = tables },
                ListenerKind.OutboundCapture when !listener.IsNetwork => new ListenerRoutes(listener) { HostsByPort = tables, Capture = capture },
                _ => null,
            };
            if (routes is not null)
            {
                translation.SetRoutes(routes);
            }
        }
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
}
