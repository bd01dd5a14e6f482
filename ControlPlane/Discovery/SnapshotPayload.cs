using Google.Protobuf;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// What one proxy is sent: its snapshot, written on the wire as the
/// shared pre-serialized bytes followed by the proxy's own node field. Protobuf allows fields in
/// any order, so the proxy parses exactly the message <see cref="Snapshot"/> describes — and
/// thousands of proxies cost one serialization per shape, not one each.
/// </summary>
internal sealed class SnapshotPayload
{
    private readonly Node _node;
    private ProxySnapshot? _snapshot;

    public SnapshotPayload(SharedSnapshot shared, Node node, byte[] nodeField)
    {
        Shared = shared;
        _node = node;
        NodeField = nodeField;
    }

    /// <summary>
    /// The proxy's snapshot as a message, made on first use (the admin API asks for few of them;
    /// pushing to thousands of proxies never needs it).
    /// </summary>
    public ProxySnapshot Snapshot => _snapshot ??= ProxySnapshotCopier.ForNode(Shared.Snapshot, _node);

    public string Version => Shared.Version;

    public SharedSnapshot Shared { get; }

    /// <summary>The encoded <c>node</c> field (tag, length, message) of the receiving proxy.</summary>
    public byte[] NodeField { get; }

    public int Length => Shared.BytesWithoutNode.Length + NodeField.Length;

    /// <summary>Encodes a node as the snapshot's <c>node</c> field.</summary>
    public static byte[] EncodeNodeField(Node node)
    {
        var message = new ProxySnapshot { Node = node };
        return message.ToByteArray();
    }
}
