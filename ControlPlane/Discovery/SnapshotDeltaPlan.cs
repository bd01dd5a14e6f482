using System.Buffers;
using Google.Protobuf;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The change from one view to a snapshot, encoded once for every proxy that makes the same move:
/// the <see cref="SnapshotDelta"/> without its nonce and node (each proxy's write adds those).
/// Holds the changed resources (their pre-encoded entries, <see cref="EncodedResource"/>), the
/// removed keys and the new order of each list type whose order is not the held one without the
/// removed names (the rule the proxy applies, <see cref="SnapshotDeltaAssembler"/>).
/// </summary>
internal sealed class SnapshotDeltaPlan
{
    /// <summary>
    /// Below this a delta goes uncompressed to every proxy: a config or endpoint change is a few KB
    /// at most, where compressing saves less than it costs. Above it (a first snapshot, a big
    /// config change) the bytes moved dominate a push storm (<see cref="SnapshotDeltaCompression"/>).
    /// </summary>
    internal const int CompressAbove = 16 * 1024;

    private readonly Lazy<byte[]> _compressedBody;

    private SnapshotDeltaPlan(string baseVersion, EncodedSnapshot target, long configGeneration, byte[] body, int changed, int removed)
    {
        BaseVersion = baseVersion;
        Target = target;
        Body = body;
        Changed = changed;
        Removed = removed;

        // Compressed once, by the first writer of this plan to a proxy that accepts it; the others wait for it.
        _compressedBody = new Lazy<byte[]>(() => new SnapshotDelta
        {
            Version = target.Version,
            BaseVersion = baseVersion,
            ConfigGeneration = configGeneration,
            Compressed = ByteString.CopyFrom(SnapshotDeltaCompression.Compress(body)),
        }.ToByteArray());
    }

    public string BaseVersion { get; }

    public string Version => Target.Version;

    public EncodedSnapshot Target { get; }

    /// <summary>The encoded delta without nonce and node.</summary>
    public byte[] Body { get; }

    /// <summary>
    /// What goes to a proxy: <see cref="Body"/>, or for one that accepts zlib and a delta larger than
    /// <see cref="CompressAbove"/>, the same delta as its <c>compressed</c> field.
    /// </summary>
    public byte[] BodyFor(bool acceptsZlib) => acceptsZlib && Body.Length > CompressAbove ? _compressedBody.Value : Body;

    public int Changed { get; }

    public int Removed { get; }

    public static SnapshotDeltaPlan Compute(ResourceView held, EncodedSnapshot target, long configGeneration)
    {
        var header = new SnapshotDelta { Version = target.Version, BaseVersion = held.Version, ConfigGeneration = configGeneration };
        return SameKeys(held, target)
            ? Encode(header, held, target, [.. target.Resources.Where((r, i) => !string.Equals(held.Resources[i].Version, r.Version, StringComparison.Ordinal))])
            : ComputeByKeys(header, held, target);
    }

    // The common move — a config change or an endpoint change to services the proxy already sees —
    // keeps every resource key in its place: then nothing is removed, no order changes, and the
    // changed resources are found position by position (no key hashing: a push computes one plan
    // per shape, each over thousands of resources).
    private static bool SameKeys(ResourceView held, EncodedSnapshot target)
    {
        if (held.Resources.Count != target.Resources.Length)
        {
            return false;
        }

        for (var i = 0; i < target.Resources.Length; i++)
        {
            var (a, b) = (held.Resources[i].Key, target.Resources[i].Key);
            if (!string.Equals(a.Name, b.Name, StringComparison.Ordinal) || !string.Equals(a.Type, b.Type, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static SnapshotDeltaPlan ComputeByKeys(SnapshotDelta header, ResourceView held, EncodedSnapshot target)
    {
        var targetKeys = new HashSet<SnapshotResourceKey>(target.Resources.Select(r => r.Key));
        var heldVersions = held.Versions;
        var changed = target.Resources.Where(r => !heldVersions.TryGetValue(r.Key, out var version) || version != r.Version).ToList();
        foreach (var (key, _) in held.Resources)
        {
            if (!targetKeys.Contains(key))
            {
                header.Removed.Add(new ResourceKey { Type = key.Type, Name = key.Name });
            }
        }

        var heldOrders = OrdersOf(held.Resources.Select(r => r.Key).Where(targetKeys.Contains));
        foreach (var (type, names) in OrdersOf(target.Resources.Select(r => r.Key)))
        {
            if (!heldOrders.TryGetValue(type, out var implied) || !implied.SequenceEqual(names, StringComparer.Ordinal))
            {
                header.Orders.Add(new ResourceOrder { Type = type, Names = { names } });
            }
        }

        return Encode(header, held, target, changed);
    }

    private static SnapshotDeltaPlan Encode(SnapshotDelta header, ResourceView held, EncodedSnapshot target, List<EncodedResource> changed)
    {
        var body = new ArrayBufferWriter<byte>(header.CalculateSize() + changed.Sum(r => r.DeltaEntry.Length));
        header.WriteTo(body);
        foreach (var resource in changed)
        {
            body.Write(resource.DeltaEntry);
        }

        return new SnapshotDeltaPlan(held.Version, target, header.ConfigGeneration, body.WrittenSpan.ToArray(), changed.Count, header.Removed.Count);
    }

    private static Dictionary<string, List<string>> OrdersOf(IEnumerable<SnapshotResourceKey> keys)
    {
        var orders = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (SnapshotResources.FindType(key.Type) is { IsList: true })
            {
                if (!orders.TryGetValue(key.Type, out var names))
                {
                    orders[key.Type] = names = [];
                }

                names.Add(key.Name);
            }
        }

        return orders;
    }
}
