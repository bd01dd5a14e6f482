using System.Collections.Frozen;
using System.Net;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.Upstream;
using L4Listener = Mesh.Contracts.Snapshots.L4Listener;
using OutboundTrafficPolicy = Mesh.Contracts.Snapshots.OutboundTrafficPolicy;
using Protocol = Mesh.Contracts.Snapshots.Protocol;
using ProxySnapshot = Mesh.Contracts.Snapshots.ProxySnapshot;

namespace Mesh.Proxy.L4.Translation;

/// <summary>
/// Per TCP/TLS listener of the proxy, its routing under one snapshot. An inbound listener forwards
/// to the local app. A TCP outbound binding takes the chains of the L4 listener whose service it
/// names (a host name of the service, or an IP in its addresses) on its port; a TLS binding takes
/// every TLS chain of its port and chooses by SNI, as Istio's 0.0.0.0:&lt;port&gt; listener does. A
/// binding to a host the mesh does not know is passed through to that host under ALLOW_ANY and
/// refused under REGISTRY_ONLY. Gateway listeners route by their Gateway server (see <see cref="L4Model.GatewayServers"/>).
/// </summary>
internal static class L4ListenerRoutingBuilder
{
    public static L4ListenerRouting?[] Build(
        ListenerSet listenerSet,
        MeshProxyOptions options,
        ProxySnapshot snapshot,
        IReadOnlyList<(L4Listener Source, L4FilterChain[] Chains)> l4Listeners,
        IReadOnlyDictionary<string, L4Cluster> clusters,
        L4ClusterStates states)
    {
        var listeners = listenerSet.All;
        var result = new L4ListenerRouting?[listeners.Count];
        var registryOnly = snapshot.OutboundTrafficPolicy?.Mode == OutboundTrafficPolicy.Types.Mode.RegistryOnly;
        foreach (var listener in listeners)
        {
            if (!listener.IsNetwork)
            {
                continue;
            }

            result[listener.Index] = listener.Kind switch
            {
                ListenerKind.Inbound => new L4ListenerRouting
                {
                    Listener = listener,
                    App = L4ClusterTranslator.App(listener.InboundClusterName!, options.AppAddress, listener.TargetPort, states),
                },
                ListenerKind.Outbound => Outbound(listener, listener.UpstreamHost!, listener.UpstreamPort, listener.Protocol == ListenerProtocol.TLS, l4Listeners, registryOnly),
                ListenerKind.OutboundCapture => Captured(listener, snapshot, l4Listeners, registryOnly),
                _ => null,
            };
        }

        return result;
    }

    // Transparent capture (docs/capture.md): each TCP/TLS port of a service address is routed as a
    // binding to that service would be; any other destination as a binding to its IP (a ServiceEntry
    // whose addresses hold it, else passthrough under ALLOW_ANY or refusal under REGISTRY_ONLY).
    private static L4ListenerRouting Captured(MeshListener listener, ProxySnapshot snapshot, IReadOnlyList<(L4Listener Source, L4FilterChain[] Chains)> l4Listeners, bool registryOnly)
    {
        var services = new Dictionary<IPEndPoint, L4ListenerRouting>();
        foreach (var service in snapshot.ServiceAddresses)
        {
            foreach (var port in service.Ports.Where(p => p.Protocol is Protocol.Tcp or Protocol.Tls or Protocol.Https))
            {
                foreach (var text in service.Addresses)
                {
                    if (IPAddress.TryParse(text, out var address))
                    {
                        var routing = Outbound(listener, service.Name, (int)port.Number, port.Protocol != Protocol.Tcp, l4Listeners, registryOnly);
                        services.TryAdd(new IPEndPoint(address, (int)port.Number), routing.With(address, text));
                    }
                }
            }
        }

        return new L4ListenerRouting
        {
            Listener = listener,
            Captured = services.ToFrozenDictionary(),
            CapturedElsewhere = destination => Outbound(listener, destination.Address.ToString(), destination.Port, tls: false, l4Listeners, registryOnly),
        };
    }

    private static L4ListenerRouting Outbound(MeshListener listener, string host, int port, bool tls, IReadOnlyList<(L4Listener Source, L4FilterChain[] Chains)> l4Listeners, bool registryOnly)
    {
        IPAddress.TryParse(host, out var address);
        var onPort = l4Listeners.Where(l => l.Source.Port == port).ToList();
        var named = onPort.FirstOrDefault(l => Names(l.Source, host, address));
        var chains = tls
            ? onPort.Where(l => l.Source.Protocol == Protocol.Tls).SelectMany(l => l.Chains).ToList()
            : named.Chains?.ToList() ?? [];
        var known = named.Source is not null;
        return new L4ListenerRouting
        {
            Listener = listener,
            RequestedHost = host,
            RequestedPort = port,
            Chains = chains,
            MatchBySni = tls,
            Destination = address,

            // The app meant a host outside the mesh: Istio sends such traffic to PassthroughCluster (ALLOW_ANY).
            Passthrough = !known && !registryOnly && host != "*" ? (host, port) : null,
            Unroutable = !known && registryOnly && chains.Count == 0 ? $"'{host}:{port}' is not a mesh service and the outbound traffic policy is REGISTRY_ONLY" : null,
        };
    }

    private static bool Names(L4Listener listener, string host, IPAddress? address)
    {
        foreach (var name in listener.Hosts)
        {
            if (string.Equals(name, host, StringComparison.OrdinalIgnoreCase)
                || (name.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(name[1..], StringComparison.OrdinalIgnoreCase) && host.Length > name.Length - 1))
            {
                return true;
            }
        }

        return address is not null && AddressSet.Parse(listener.Addresses, (_, _) => { }).Contains(address);
    }
}
