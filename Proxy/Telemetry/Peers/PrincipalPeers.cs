using System.Collections.Concurrent;

namespace Mesh.Proxy.Telemetry.Peers;

/// <summary>
/// A caller known only by its mTLS principal (it sent no peer metadata): its workload is unknown,
/// its namespace is the SPIFFE id's. Canonical instance per principal, bounded like the header cache.
/// </summary>
internal sealed class PrincipalPeers
{
    private readonly ConcurrentDictionary<string, WorkloadPeer> _peers = new(StringComparer.Ordinal);

    public WorkloadPeer Resolve(string principal)
    {
        if (_peers.TryGetValue(principal, out var peer))
        {
            return peer;
        }

        if (_peers.Count >= PeerMetadataHeader.MaxPeers)
        {
            return WorkloadPeer.UnknownPeer;
        }

        return _peers.GetOrAdd(principal, new WorkloadPeer(null, PeerPrincipalReader.NamespaceOf(principal), null, null));
    }
}
