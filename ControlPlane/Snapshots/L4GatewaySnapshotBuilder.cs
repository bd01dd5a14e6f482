using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A gateway's L4 listeners: one per port of the TCP and TLS servers of the Gateways selecting it,
/// with chains per server in server order, as Istio builds them:
/// <list type="bullet">
/// <item>TCP (also MONGO, MYSQL, REDIS) and TLS servers that terminate (SIMPLE, MUTUAL,
/// ISTIO_MUTUAL): the <c>tcp</c> rules of the VirtualServices bound to the Gateway whose hosts the
/// server admits;</item>
/// <item>PASSTHROUGH (TLS, or HTTPS whose mode is left at Istio's default): their <c>tls</c> rules,
/// SNI hosts narrowed to the server's hosts;</item>
/// <item>AUTO_PASSTHROUGH: one chain that takes the cluster from the SNI
/// (<c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;host&gt;</c>); the snapshot then carries a cluster
/// for every visible service port and subset.</item>
/// </list>
/// </summary>
internal static class L4GatewaySnapshotBuilder
{
    /// <summary>True when the server carries connections rather than HTTP requests.</summary>
    public static bool IsL4(Server server)
    {
        var protocol = ServiceIndex.ProtocolOf(server.Port?.Protocol);
        return protocol is Wire.Protocol.Tcp or Wire.Protocol.Tls
            || (protocol == Wire.Protocol.Https && TlsMode(server) is ServerTlsMode.Passthrough or ServerTlsMode.AutoPassthrough);
    }

    /// <summary>The server's TLS mode; Istio's default (PASSTHROUGH) for HTTPS and TLS servers that leave it out.</summary>
    public static ServerTlsMode? TlsMode(Server server)
    {
        if (server.Tls?.Mode is { } mode)
        {
            return mode;
        }

        var protocol = ServiceIndex.ProtocolOf(server.Port?.Protocol);
        return server.Tls is not null && protocol is Wire.Protocol.Https or Wire.Protocol.Tls ? ServerTlsMode.Passthrough : null;
    }

    /// <summary>Adds the L4 listeners; returns true when a server is AUTO_PASSTHROUGH (every service's clusters are then needed).</summary>
    public static bool Build(MeshModel model, Wire.Node node, RouteContextFactory contexts, Wire.ProxySnapshot snapshot)
    {
        var listeners = new SortedDictionary<uint, Wire.L4Listener>();
        var autoPassthrough = false;
        foreach (var gateway in GatewaySnapshotBuilder.Selecting(model, node))
        {
            var gatewayKey = $"{gateway.Namespace}/{gateway.Name}";
            for (var i = 0; i < gateway.Spec.Servers.Count; i++)
            {
                var server = gateway.Spec.Servers[i];
                if (!IsL4(server) || server.Port?.Number is not { } port)
                {
                    continue;
                }

                var serverName = GatewaySnapshotBuilder.ServerName(gateway, server, i);
                var mode = TlsMode(server);
                var passthrough = mode is ServerTlsMode.Passthrough or ServerTlsMode.AutoPassthrough;
                if (!listeners.TryGetValue(port, out var listener))
                {
                    listeners[port] = listener = new Wire.L4Listener { Name = $"gateway:{port}", Port = port, Protocol = Wire.Protocol.Tcp };
                }

                if (passthrough)
                {
                    listener.Protocol = Wire.Protocol.Tls;
                }

                var serverHosts = server.Hosts.Select(h => h.Contains('/') ? h[(h.IndexOf('/') + 1)..] : h).ToList();
                if (mode == ServerTlsMode.AutoPassthrough)
                {
                    var chain = new Wire.L4FilterChain { Name = $"{serverName}/auto-passthrough", GatewayServer = serverName, AutoPassthrough = true };
                    chain.SniHosts.AddRange(serverHosts.Select(h => h.ToLowerInvariant()));
                    listener.FilterChains.Add(chain);
                    autoPassthrough = true;
                    continue;
                }

                var context = contexts.Create(port, gatewayKey);
                foreach (var virtualService in model.VirtualServices.Where(vs => context.IsBoundTo(vs.Spec.Gateways, vs.Namespace)))
                {
                    if (!GatewaySnapshotBuilder.Intersection(server, gateway.Namespace, virtualService).Any())
                    {
                        continue;
                    }

                    listener.FilterChains.AddRange(passthrough
                        ? L4RouteSnapshotBuilder.TlsChains(virtualService, context, serverName, serverHosts)
                        : L4RouteSnapshotBuilder.TcpChains(virtualService, context, serverName));
                }
            }
        }

        snapshot.L4Listeners.AddRange(listeners.Values);
        return autoPassthrough;
    }

    /// <summary>The default and every subset cluster of every port of <paramref name="services"/> (what AUTO_PASSTHROUGH SNI can name).</summary>
    public static void AddEveryServiceCluster(IEnumerable<ServiceModel> services, DestinationRuleIndex rules, SortedSet<(string Host, uint Port, string Subset)> wanted)
    {
        foreach (var service in services)
        {
            var subsets = rules.For(service)?.Spec.Subsets.Select(s => s.Name).OfType<string>().ToList() ?? [];
            foreach (var port in service.Ports)
            {
                wanted.Add((service.Hostname, port.Number, ""));
                foreach (var subset in subsets)
                {
                    wanted.Add((service.Hostname, port.Number, subset));
                }
            }
        }
    }
}
