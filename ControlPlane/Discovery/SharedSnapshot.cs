using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// One build shared by every proxy of a shape: the snapshot (its node is the shape, without an
/// id) and its wire bytes without the node, serialized once however many proxies receive it —
/// and assembled from the encodings of the clusters and routes it shares with other shapes'
/// builds (<see cref="SnapshotEncoding"/>), so those are serialized once per push, not per shape.
/// </summary>
internal sealed class SharedSnapshot
{
    private readonly Lazy<byte[]> _bytesWithoutNode;

    public SharedSnapshot(ProxySnapshot snapshot)
    {
        Snapshot = snapshot;
        _bytesWithoutNode = new Lazy<byte[]>(() => SnapshotEncoding.WithHeader(snapshot.Version, snapshot.ConfigGeneration, SnapshotEncoding.Content(snapshot)));
    }

    public ProxySnapshot Snapshot { get; }

    public string Version => Snapshot.Version;

    public byte[] BytesWithoutNode => _bytesWithoutNode.Value;
}
