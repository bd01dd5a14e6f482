using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The ingress routing of a Gateway API Gateway's proxy (the gateway proxy whose gateway-name
/// label and namespace name the Gateway): a server per listener the mesh can serve, and per
/// listener one virtual host per hostname its attached routes serve — the route hostnames
/// intersected with the listener's, less those a more specific listener on the same port owns
/// (the spec's isolation) — with the routes of every HTTPRoute and GRPCRoute for that hostname in
/// the spec's precedence order.
/// </summary>
internal static class KubernetesGatewaySnapshotBuilder
{
    public static void Build(GatewayApiGraph graph, Wire.Node node, RouteContextFactory contexts, Wire.ProxySnapshot snapshot)
    {
        if (graph.ServedBy(node, contexts.NodeNamespace) is not { Serves: true } gateway)
        {
            return;
        }

        var claimed = new HashSet<(uint Port, string Domain)>();
        foreach (var listener in gateway.Listeners.Where(l => l.Programmable && l.IsHttp))
        {
            snapshot.GatewayServers.Add(Server(listener, contexts.Settings));
            var context = contexts.Create(listener.Port, gatewayKey: gateway.Key);
            var byHost = new SortedDictionary<string, List<(ResolvedRoute, RouteConversion)>>(StringComparer.Ordinal);
            foreach (var route in graph.AttachedTo(listener))
            {
                foreach (var host in HostsOf(route, listener, gateway))
                {
                    if (!byHost.TryGetValue(host, out var routes))
                    {
                        byHost[host] = routes = [];
                    }

                    routes.Add((route, route.GatewayRoutes!));
                }
            }

            foreach (var (host, routes) in byHost)
            {
                // Two listeners of one port may reach one name (a route on each); the first listener keeps it.
                if (!claimed.Add((listener.Port, host)))
                {
                    continue;
                }

                var virtualHost = new Wire.VirtualHost
                {
                    Name = $"{listener.ServerName}/{host}",
                    Port = listener.Port,
                    GatewayServer = listener.ServerName,
                };
                virtualHost.Domains.Add(host);
                if (host != "*")
                {
                    virtualHost.Domains.Add($"{host}:{listener.Port}");
                }

                foreach (var converted in GatewayApiGraph.Ordered(routes))
                {
                    virtualHost.Routes.Add(converted.Route);
                    foreach (var (clusterHost, clusterPort) in converted.Clusters)
                    {
                        context.ReferencedClusters.Add((clusterHost, clusterPort, ""));
                    }
                }

                snapshot.VirtualHosts.Add(virtualHost);
            }
        }

        KubernetesGatewayL4SnapshotBuilder.Build(graph, gateway, contexts, snapshot);
    }

    /// <summary>The hostnames a route serves on a listener (the spec's intersection and isolation).</summary>
    internal static IEnumerable<string> HostsOf(ResolvedRoute route, ResolvedListener listener, ResolvedGateway gateway)
    {
        var hosts = route.Hostnames.Count == 0
            ? [listener.Hostname]
            : route.Hostnames.Select(h => GatewayApiHostnames.Intersect(listener.Hostname, h.ToLowerInvariant())).OfType<string>().Distinct(StringComparer.Ordinal);
        var others = gateway.Listeners
            .Where(l => l != listener && l.Accepted && l.Port == listener.Port && l.Protocol == listener.Protocol && l.Hostname.Length > listener.Hostname.Length)
            .Select(l => l.Hostname)
            .ToList();
        return hosts.Where(h => !others.Any(more => more != listener.Hostname && GatewayApiHostnames.Covers(more, h)));
    }

    private static Wire.GatewayServer Server(ResolvedListener listener, MeshSettings settings)
    {
        var server = new Wire.GatewayServer
        {
            Name = listener.ServerName,
            Port = listener.Port,
            PortName = listener.Name,
            Protocol = listener.Protocol == "HTTPS" ? Wire.Protocol.Https : Wire.Protocol.Http,
        };
        server.Hosts.Add(listener.Hostname);
        if (listener.Protocol == "HTTPS")
        {
            server.Tls = GatewaySnapshotBuilder.Tls(new ServerTlsSettings { Mode = ServerTlsMode.Simple, CredentialName = listener.CredentialName }, settings);
        }

        return server;
    }
}
