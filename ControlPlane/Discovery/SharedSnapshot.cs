using Google.Protobuf;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// One build shared by every proxy of a shape: the snapshot (its node is the shape, without an
/// id) and its wire bytes without the node, serialized once however many proxies receive it.
/// </summary>
internal sealed class SharedSnapshot
{
    private readonly Lazy<byte[]> _bytesWithoutNode;

    public SharedSnapshot(ProxySnapshot snapshot)
    {
        Snapshot = snapshot;
        _bytesWithoutNode = new Lazy<byte[]>(() => ProxySnapshotCopier.ForNode(snapshot, null).ToByteArray());
    }

    public ProxySnapshot Snapshot { get; }

    public string Version => Snapshot.Version;

    public byte[] BytesWithoutNode => _bytesWithoutNode.Value;
}
