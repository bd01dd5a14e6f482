using System.Collections;
using Google.Protobuf.Reflection;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Makes a proxy's own snapshot from a shared build: a shallow copy (every top-level field refers
/// to the shared messages, which nobody mutates) with the proxy's node. Cheap enough to do for
/// thousands of proxies per change, unlike a deep clone; generic over the message's fields so a
/// field added to the contract is never dropped.
/// </summary>
internal static class ProxySnapshotCopier
{
    private static readonly FieldDescriptor[] Fields = [.. ProxySnapshot.Descriptor.Fields.InFieldNumberOrder()];

    public static ProxySnapshot ForNode(ProxySnapshot shared, Node? node)
    {
        var copy = new ProxySnapshot();
        foreach (var field in Fields)
        {
            if (field.FieldNumber == ProxySnapshot.NodeFieldNumber)
            {
                continue;
            }

            var value = field.Accessor.GetValue(shared);
            if (field.IsMap)
            {
                var target = (IDictionary)field.Accessor.GetValue(copy);
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    target.Add(entry.Key, entry.Value);
                }
            }
            else if (field.IsRepeated)
            {
                var target = (IList)field.Accessor.GetValue(copy);
                foreach (var item in (IList)value)
                {
                    target.Add(item);
                }
            }
            else if (!field.HasPresence || field.Accessor.HasValue(shared))
            {
                field.Accessor.SetValue(copy, value);
            }
        }

        copy.Node = node;
        return copy;
    }
}
