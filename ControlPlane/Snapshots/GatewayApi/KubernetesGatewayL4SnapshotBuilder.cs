using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The L4 part of a Gateway API Gateway's proxy, as Istio converts it: a gateway server per TCP and
/// TLS listener and an L4 listener per port whose filter chains are the rules of the attached
/// routes (route order, then rule order), each with its weighted clusters:
/// <list type="bullet">
/// <item><c>TCP</c>: TCPRoutes; every connection of the port;</item>
/// <item><c>TLS</c>, <c>mode: Passthrough</c>: TLSRoutes by SNI — the route's hostnames
/// intersected with the listener's (the spec's rule), TLS not terminated;</item>
/// <item><c>TLS</c>, <c>mode: Terminate</c>: terminated with the listener's certificate, then
/// TLSRoutes by the SNI of the handshake and TCPRoutes for any SNI.</item>
/// </list>
/// A connection no chain takes is closed (an unknown SNI does not fall back to another backend).
/// </summary>
internal static class KubernetesGatewayL4SnapshotBuilder
{
    public static void Build(GatewayApiGraph graph, ResolvedGateway gateway, RouteContextFactory contexts, Wire.ProxySnapshot snapshot)
    {
        foreach (var listener in gateway.Listeners.Where(l => l.Programmable && l.Protocol is "TCP" or "TLS"))
        {
            var passthrough = listener.Protocol == "TLS" && listener.Listener.Tls?.Mode == TlsModeType.Passthrough;
            snapshot.GatewayServers.Add(Server(listener, passthrough, contexts.Settings));
            var l4 = snapshot.L4Listeners.FirstOrDefault(l => l.Port == listener.Port);
            if (l4 is null)
            {
                l4 = new Wire.L4Listener { Name = $"gateway:{listener.Port}", Port = listener.Port, Protocol = Wire.Protocol.Tcp };
                snapshot.L4Listeners.Add(l4);
            }

            if (passthrough)
            {
                l4.Protocol = Wire.Protocol.Tls;
            }

            var context = contexts.Create(listener.Port, gateway.Key);
            foreach (var route in graph.AttachedTo(listener).OrderBy(r => r.OrderKey, StringComparer.Ordinal))
            {
                // A TLSRoute matches by SNI: the names it shares with the listener; none, no chain.
                List<string> sniHosts = route.Kind == "TLSRoute" ? [.. KubernetesGatewaySnapshotBuilder.HostsOf(route, listener, gateway).Select(h => h.ToLowerInvariant())] : [];
                if (route.Kind == "TLSRoute" && sniHosts.Count == 0)
                {
                    continue;
                }

                foreach (var rule in route.GatewayRoutes!.L4Rules)
                {
                    var chain = Chain(route, rule, context, listener.ServerName);
                    chain.SniHosts.AddRange(sniHosts);
                    l4.FilterChains.Add(chain);
                }
            }
        }
    }

    /// <summary>The chain of one rule (named after its route, as <c>meshctl proxy-config</c> shows it); its clusters become referenced.</summary>
    internal static Wire.L4FilterChain Chain(ResolvedRoute route, L4ConvertedRule rule, RouteContext context, string? gatewayServer)
    {
        var origin = $"{route.Kind}/{route.Object.Metadata.Name}.{route.Namespace}";
        var chain = new Wire.L4FilterChain
        {
            Name = gatewayServer is null ? $"{origin}/{rule.Name}" : $"{gatewayServer}/{origin}/{rule.Name}",
            VirtualService = origin,
            GatewayServer = gatewayServer ?? "",
        };
        chain.Clusters.AddRange(rule.Clusters.Select(c => c.Clone()));
        foreach (var (host, port) in rule.References)
        {
            context.ReferencedClusters.Add((host, port, ""));
        }

        return chain;
    }

    private static Wire.GatewayServer Server(ResolvedListener listener, bool passthrough, MeshSettings settings)
    {
        var server = new Wire.GatewayServer
        {
            Name = listener.ServerName,
            Port = listener.Port,
            PortName = listener.Name,
            Protocol = listener.Protocol == "TLS" ? Wire.Protocol.Tls : Wire.Protocol.Tcp,
        };
        server.Hosts.Add(listener.Hostname);
        if (listener.Protocol == "TLS")
        {
            server.Tls = passthrough
                ? new Wire.GatewayTls { Mode = Wire.GatewayTls.Types.Mode.Passthrough }
                : GatewaySnapshotBuilder.Tls(new ServerTlsSettings { Mode = ServerTlsMode.Simple, CredentialName = listener.CredentialName }, settings);
        }

        return server;
    }
}
