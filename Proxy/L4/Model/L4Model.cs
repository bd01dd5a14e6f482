using System.Collections.Frozen;

namespace Mesh.Proxy.L4.Model;

/// <summary>
/// The L4 proxy's view of one snapshot: per listener how its connections are routed, the gateway's
/// chains per Gateway server, and the clusters by name. Immutable; a connection reads it once.
/// </summary>
internal sealed class L4Model
{
    public static L4Model Empty { get; } = new([], FrozenDictionary<string, L4FilterChain[]>.Empty, FrozenDictionary<string, L4Cluster>.Empty);

    public L4Model(L4ListenerRouting?[] listeners, FrozenDictionary<string, L4FilterChain[]> gatewayServers, FrozenDictionary<string, L4Cluster> clusters)
    {
        Listeners = listeners;
        GatewayServers = gatewayServers;
        Clusters = clusters;
    }

    /// <summary>Indexed by listener index (null: not an L4 listener under this snapshot).</summary>
    public L4ListenerRouting?[] Listeners { get; }

    /// <summary>Gateway: the chains of each Gateway server, in order.</summary>
    public FrozenDictionary<string, L4FilterChain[]> GatewayServers { get; }

    public FrozenDictionary<string, L4Cluster> Clusters { get; }

    public L4ListenerRouting? For(int listenerIndex) => (uint)listenerIndex < (uint)Listeners.Length ? Listeners[listenerIndex] : null;
}
