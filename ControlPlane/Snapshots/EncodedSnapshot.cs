using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A snapshot cut into its resources (<see cref="SnapshotResources.Split"/>, canonical order) with
/// the composite version that names the whole. Parts are encoded once per object, not per
/// snapshot: the clusters and virtual hosts that thousands of proxies' snapshots share (they are
/// the same objects, see <see cref="SnapshotMemo"/>) are serialized and hashed once.
/// </summary>
internal sealed class EncodedSnapshot
{
    private static readonly ConditionalWeakTable<ProxySnapshot, EncodedSnapshot> BySnapshot = new();
    private static readonly ConditionalWeakTable<object, PartEncodings> ByPart = new();

    private EncodedSnapshot(ImmutableArray<EncodedResource> resources)
    {
        Resources = resources;
        Version = SnapshotResources.CompositeVersion(resources.Select(r => (r.Key, r.Version)));
    }

    public string Version { get; }

    /// <summary>Every resource in canonical order.</summary>
    public ImmutableArray<EncodedResource> Resources { get; }

    /// <summary>The encoding of a built snapshot (computed once per snapshot object; its header fields do not count).</summary>
    public static EncodedSnapshot Of(ProxySnapshot snapshot) => BySnapshot.GetValue(snapshot, static s => Encode(s));

    private static EncodedSnapshot Encode(ProxySnapshot snapshot)
    {
        var parts = SnapshotResources.Split(snapshot);
        var resources = ImmutableArray.CreateBuilder<EncodedResource>(parts.Count);
        foreach (var part in parts)
        {
            resources.Add(ByPart.GetValue(part.Value, static _ => new PartEncodings()).Get(part));
        }

        return new EncodedSnapshot(resources.MoveToImmutable());
    }

    /// <summary>The encodings of one object, per resource type and name (a cluster is two resources: itself and its endpoints).</summary>
    private sealed class PartEncodings
    {
        private readonly Lock _gate = new();
        private EncodedResource[] _encodings = [];

        public EncodedResource Get(SnapshotPart part)
        {
            var key = part.Key;
            foreach (var encoding in Volatile.Read(ref _encodings))
            {
                if (encoding.Key == key)
                {
                    return encoding;
                }
            }

            var encoded = EncodedResource.Encode(part);
            lock (_gate)
            {
                _encodings = [.. _encodings, encoded];
            }

            return encoded;
        }
    }
}
