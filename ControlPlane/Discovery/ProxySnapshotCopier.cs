using Google.Protobuf.Reflection;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Makes a proxy's own snapshot from a shared build: a shallow copy (every top-level field refers
/// to the shared messages, which nobody mutates) with the proxy's node. Cheap enough to do for
/// thousands of proxies per change, unlike a deep clone; generic over the message's fields so a
/// field added to the contract is never dropped.
/// </summary>
internal static class ProxySnapshotCopier
{
    private static readonly FieldDescriptor[] Fields = [.. ProxySnapshot.Descriptor.Fields.InFieldNumberOrder()
        .Where(f => f.FieldNumber != ProxySnapshot.NodeFieldNumber)];

    public static ProxySnapshot ForNode(ProxySnapshot shared, Node? node)
    {
        var copy = new ProxySnapshot();
        foreach (var field in Fields)
        {
            SnapshotEncoding.CopyField(field, shared, copy);
        }

        copy.Node = node;
        return copy;
    }
}
