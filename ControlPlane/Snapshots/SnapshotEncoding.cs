using System.Collections;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A snapshot's content on the wire — every field but <c>version</c>, <c>node</c> and
/// <c>config_generation</c> — serialized from parts encoded once (the full stream's message).
/// </summary>
/// <remarks>
/// Protobuf writes a message's fields in field-number order and a repeated message field as one
/// entry (tag, length, element) per element, so a snapshot's bytes are the concatenation of its
/// elements' entries. The elements of list fields (clusters, virtual hosts, servers ...) are the
/// objects <see cref="SnapshotMemo"/> shares between snapshots: each is encoded once, the first
/// time any snapshot holding it is encoded, and its bytes are reused by every other snapshot that
/// holds it (kept alive as long as the element is). A snapshot is immutable once built, so an
/// element's bytes never go stale. Generic over <see cref="Wire.ProxySnapshot"/>'s fields: a
/// top-level field added to the contract is encoded without further code.
/// </remarks>
internal static class SnapshotEncoding
{
    private static readonly FieldDescriptor[] ContentFields = [.. Wire.ProxySnapshot.Descriptor.Fields.InFieldNumberOrder()
        .Where(f => f.FieldNumber is not (Wire.ProxySnapshot.VersionFieldNumber or Wire.ProxySnapshot.NodeFieldNumber or Wire.ProxySnapshot.ConfigGenerationFieldNumber))];

    private static readonly ConditionalWeakTable<IMessage, ElementEntry> Entries = [];

    /// <summary>The snapshot serialized without its version, node and config generation.</summary>
    public static byte[] Content(Wire.ProxySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var parts = new List<byte[]>();
        foreach (var field in ContentFields)
        {
            if (field.IsRepeated && !field.IsMap && field.FieldType == FieldType.Message)
            {
                foreach (IMessage element in (IList)field.Accessor.GetValue(snapshot))
                {
                    parts.Add(EntryOf(field, element));
                }
            }
            else
            {
                parts.Add(FieldOnly(field, snapshot).ToByteArray());
            }
        }

        var content = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(content, offset);
            offset += part.Length;
        }

        return content;
    }

    /// <summary>The snapshot's header fields (version, config generation) followed by its content: the message without its node.</summary>
    public static byte[] WithHeader(string version, long configGeneration, byte[] content)
    {
        var header = new Wire.ProxySnapshot { Version = version, ConfigGeneration = configGeneration }.ToByteArray();
        var bytes = new byte[header.Length + content.Length];
        header.CopyTo(bytes, 0);
        content.CopyTo(bytes, header.Length);
        return bytes;
    }

    private static byte[] EntryOf(FieldDescriptor field, IMessage element)
    {
        var entry = Entries.GetValue(element, e => new ElementEntry(field.FieldNumber, Encode(field, e)));
        return entry.FieldNumber == field.FieldNumber ? entry.Bytes : Encode(field, element);
    }

    private static byte[] Encode(FieldDescriptor field, IMessage element)
    {
        var holder = new Wire.ProxySnapshot();
        ((IList)field.Accessor.GetValue(holder)).Add(element);
        return holder.ToByteArray();
    }

    private static Wire.ProxySnapshot FieldOnly(FieldDescriptor field, Wire.ProxySnapshot snapshot)
    {
        var holder = new Wire.ProxySnapshot();
        Wire.MessageCopier.CopyField(field, snapshot, holder);
        return holder;
    }

    /// <summary>An element's encoded field entry, for the field it was first seen in.</summary>
    private sealed record ElementEntry(int FieldNumber, byte[] Bytes);
}
