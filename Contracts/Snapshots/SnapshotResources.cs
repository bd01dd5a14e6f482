using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Mesh.Contracts.Snapshots;

/// <summary>
/// How a <see cref="ProxySnapshot"/> travels on the incremental discovery stream, the same code on
/// both sides: <see cref="Split(ProxySnapshot)"/> cuts it into resources (control plane), <see cref="Assemble"/>
/// puts them back together (proxy), and <see cref="CompositeVersion"/> gives the whole snapshot's
/// version from its resources' versions, so the proxy can check that what it holds after a delta
/// is exactly what the control plane meant.
/// </summary>
/// <remarks>
/// The snapshot's header fields (<c>version</c>, <c>node</c>, <c>config_generation</c>) travel in
/// the delta itself. Every other field is a resource type (<see cref="SnapshotResourceType"/>), in
/// field-number order with <c>endpoints</c> right after <c>clusters</c>; a list's elements keep
/// their order (the delta carries a type's new order when it changed). Two elements of one list
/// with the same name (which the proxy rejects, naming them) stay distinct resources: the second
/// is keyed <c>name\0 2</c> (a NUL and the occurrence), the body keeps the real name.
/// </remarks>
public static class SnapshotResources
{
    public const string EndpointsTypeName = "endpoints";

    private static readonly int[] HeaderFields = [ProxySnapshot.VersionFieldNumber, ProxySnapshot.NodeFieldNumber, ProxySnapshot.ConfigGenerationFieldNumber];
    private static readonly Dictionary<string, SnapshotResourceType> ByName;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? CompositeBuffer;

    static SnapshotResources()
    {
        var types = new List<SnapshotResourceType>();
        foreach (var field in ProxySnapshot.Descriptor.Fields.InFieldNumberOrder())
        {
            if (HeaderFields.Contains(field.FieldNumber))
            {
                continue;
            }

            var elementName = field.IsRepeated && !field.IsMap && field.FieldType == FieldType.Message
                ? field.MessageType.FindFieldByName("name") is { FieldType: FieldType.String, IsRepeated: false } name ? name : null
                : null;
            types.Add(new SnapshotResourceType(field.Name, field, elementName));
            if (field.FieldNumber == ProxySnapshot.ClustersFieldNumber)
            {
                types.Add(new SnapshotResourceType(EndpointsTypeName, field, elementName));
            }
        }

        Types = types;
        ByName = types.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Every resource type, in canonical order.</summary>
    public static IReadOnlyList<SnapshotResourceType> Types { get; }

    public static SnapshotResourceType? FindType(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The parts of a snapshot in canonical order: per type, its elements in their order.</summary>
    public static IReadOnlyList<SnapshotPart> Split(ProxySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var parts = new List<SnapshotPart>();
        foreach (var type in Types)
        {
            parts.AddRange(Split(snapshot, type));
        }

        return parts;
    }

    /// <summary>The elements of a list type's field (the snapshot's own list: do not change it); null for other types.</summary>
    public static IList? Elements(ProxySnapshot snapshot, SnapshotResourceType type)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(type);
        return type.IsList ? (IList)type.Field.Accessor.GetValue(snapshot) : null;
    }

    /// <summary>The parts of one type of a snapshot, in their order (none when the field is not set).</summary>
    public static IReadOnlyList<SnapshotPart> Split(ProxySnapshot snapshot, SnapshotResourceType type)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(type);
        if (!SnapshotPart.IsSet(type, snapshot))
        {
            return [];
        }

        var value = type.Field.Accessor.GetValue(snapshot);
        if (!type.IsList)
        {
            return [new SnapshotPart(type, "", value)];
        }

        var elements = (IList)value;
        var parts = new List<SnapshotPart>(elements.Count);
        var seen = new Dictionary<string, int>(elements.Count, StringComparer.Ordinal);
        foreach (IMessage element in elements)
        {
            var name = (string)type.ElementName!.Accessor.GetValue(element);
            var occurrence = seen[name] = seen.GetValueOrDefault(name) + 1;
            parts.Add(new SnapshotPart(type, occurrence == 1 ? name : $"{name}\0{occurrence}", element));
        }

        return parts;
    }

    /// <summary>
    /// Puts parts back together into a snapshot (without its header fields). Parts may come in
    /// any order as long as each list's elements are in their order; every cluster needs its
    /// endpoints part and every endpoints part its cluster (else <see cref="InvalidDataException"/>).
    /// The result shares the parts' messages: treat it as immutable.
    /// </summary>
    public static ProxySnapshot Assemble(IEnumerable<SnapshotPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var snapshot = new ProxySnapshot();
        var endpoints = new Dictionary<string, Cluster>(StringComparer.Ordinal);
        var clusters = new List<(string Name, Cluster Cluster)>();
        foreach (var part in parts)
        {
            if (part.Type.IsEndpoints)
            {
                if (!endpoints.TryAdd(part.Name, (Cluster)part.Value))
                {
                    throw new InvalidDataException($"two endpoints resources for cluster '{part.Name}'");
                }
            }
            else if (part.Type.Field.FieldNumber == ProxySnapshot.ClustersFieldNumber)
            {
                clusters.Add((part.Name, (Cluster)part.Value));
            }
            else if (part.Type.IsList)
            {
                ((IList)part.Type.Field.Accessor.GetValue(snapshot)).Add(part.Value);
            }
            else if (part.Type.Field.IsRepeated)
            {
                var list = (IList)part.Type.Field.Accessor.GetValue(snapshot);
                foreach (var item in (IList)part.Value)
                {
                    list.Add(item);
                }
            }
            else
            {
                part.Type.Field.Accessor.SetValue(snapshot, part.Value);
            }
        }

        foreach (var (name, cluster) in clusters)
        {
            if (!endpoints.Remove(name, out var own))
            {
                throw new InvalidDataException($"cluster '{name}' has no endpoints resource");
            }

            var assembled = MessageCopier.Without(cluster, Cluster.EndpointsFieldNumber);
            assembled.Endpoints.Add(own.Endpoints);
            snapshot.Clusters.Add(assembled);
        }

        if (endpoints.Count > 0)
        {
            throw new InvalidDataException($"endpoints resource for unknown cluster '{endpoints.Keys.First()}'");
        }

        return snapshot;
    }

    /// <summary>A resource's version: the first 64 bits of the SHA-256 of its body, as 16 hex digits.</summary>
    public static string VersionOf(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>
    /// The whole snapshot's version: a hash over every resource's type, name and version in
    /// canonical order (<see cref="Split(ProxySnapshot)"/>'s). Identical content gives an identical version.
    /// </summary>
    public static string CompositeVersion(IEnumerable<(SnapshotResourceKey Key, string Version)> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);

        // One buffer hashed at once (reused per thread): a snapshot has thousands of resources, and
        // feeding an incremental hash three short strings at a time cost more than the hashing.
        var buffer = CompositeBuffer ??= new ArrayBufferWriter<byte>(64 * 1024);
        buffer.ResetWrittenCount();
        foreach (var (key, version) in resources)
        {
            AppendCompositeEntry(buffer, key, version);
        }

        var composite = CompositeVersionOf(buffer.WrittenSpan);
        if (buffer.Capacity > 4 * 1024 * 1024)
        {
            CompositeBuffer = null; // an unusually large snapshot's buffer is not kept for the thread's lifetime
        }

        return composite;
    }

    /// <summary>
    /// One resource's share of <see cref="CompositeVersion"/>'s input: its type, name and version,
    /// each as its UTF-8 length (32-bit little-endian) and bytes. A sender that keeps these per
    /// resource hashes a snapshot's version from them without encoding any text again.
    /// </summary>
    public static void AppendCompositeEntry(IBufferWriter<byte> buffer, SnapshotResourceKey key, string version)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Append(buffer, key.Type);
        Append(buffer, key.Name);
        Append(buffer, version);
    }

    /// <summary>The composite version of resources given as their entries (<see cref="AppendCompositeEntry"/>), concatenated in canonical order.</summary>
    public static string CompositeVersionOf(ReadOnlySpan<byte> entries)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(entries, digest);
        return Convert.ToHexStringLower(digest[..8]);
    }

    private static void Append(IBufferWriter<byte> buffer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var span = buffer.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        Encoding.UTF8.GetBytes(text, span[4..]);
        buffer.Advance(4 + length);
    }

    /// <summary>Sets the header fields a delta carries on an assembled snapshot.</summary>
    public static ProxySnapshot WithHeader(ProxySnapshot snapshot, string version, Node? node, long configGeneration)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.Version = version;
        snapshot.Node = node;
        snapshot.ConfigGeneration = configGeneration;
        return snapshot;
    }
}
