using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// Which gateway listeners a snapshot needs beyond the configured ones: one per Gateway server port
/// that no configured gateway listener serves, on the same port number (Envoy opens a listener per
/// Gateway port; Istio's task files name ports such as 31400 directly). A port whose servers all
/// forward connections (TCP, TLS) gets a TCP listener, any other an HTTP one (HTTP/2 when its
/// plaintext servers are all HTTP2/GRPC).
/// </summary>
internal static class LiveGatewayListeners
{
    public static IReadOnlyList<MeshListener> Plan(ProxySnapshot snapshot, ListenerSet listeners)
    {
        var served = listeners.OfKind(ListenerKind.Gateway).Where(l => !l.IsLive).SelectMany(l => l.GatewayPorts).ToHashSet();
        var live = new List<MeshListener>();
        foreach (var port in snapshot.GatewayServers.GroupBy(s => s.Port).Where(g => g.Key is > 0 and <= 65535 && !served.Contains((int)g.Key)).OrderBy(g => g.Key))
        {
            live.Add(listeners.GetOrAddLive((int)port.Key, ProtocolOf([.. port])));
        }

        return live;
    }

    private static ListenerProtocol ProtocolOf(IReadOnlyList<GatewayServer> servers)
    {
        var http = servers.Where(IsHttp).ToList();
        if (http.Count == 0)
        {
            return ListenerProtocol.TCP;
        }

        return http.All(s => s.Protocol is Protocol.Http2 or Protocol.Grpc) ? ListenerProtocol.HTTP2 : ListenerProtocol.HTTP;
    }

    private static bool IsHttp(GatewayServer server) => server.Protocol switch
    {
        Protocol.Tcp or Protocol.Tls => false,
        Protocol.Https => server.Tls?.Mode is not (GatewayTls.Types.Mode.Passthrough or GatewayTls.Types.Mode.AutoPassthrough),
        _ => true,
    };
}
