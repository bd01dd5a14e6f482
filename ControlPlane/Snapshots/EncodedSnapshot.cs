using System.Buffers;
using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A snapshot cut into its resources (<see cref="SnapshotResources.Split(ProxySnapshot)"/>, canonical order) with
/// the composite version that names the whole. Parts are encoded once per object, not per
/// snapshot: the clusters and virtual hosts that thousands of proxies' snapshots share (they are
/// the same objects, see <see cref="SnapshotMemo"/>) are serialized and hashed once. A whole list
/// that many snapshots share (a sidecar's outbound clusters and virtual hosts, the same objects in
/// the same order in every shape's snapshot) is cut once too: each further snapshot holding it
/// takes its resources and composite-version input as they are (<see cref="ListRun"/>), so the
/// per-shape cost of a push is a reference comparison per element and one hash, not a split,
/// a lookup and a text encoding per resource.
/// </summary>
internal sealed class EncodedSnapshot
{
    private static readonly ConditionalWeakTable<ProxySnapshot, EncodedSnapshot> BySnapshot = new();
    private static readonly ConditionalWeakTable<object, PartEncodings> ByPart = new();
    private static readonly ConditionalWeakTable<object, ListRuns> ByFirstElement = new();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? CompositeBuffer;

    private EncodedSnapshot(ImmutableArray<EncodedResource> resources, string version)
    {
        Resources = resources;
        Version = version;
    }

    public string Version { get; }

    /// <summary>Every resource in canonical order.</summary>
    public ImmutableArray<EncodedResource> Resources { get; }

    /// <summary>The encoding of a built snapshot (computed once per snapshot object; its header fields do not count).</summary>
    public static EncodedSnapshot Of(ProxySnapshot snapshot) => BySnapshot.GetValue(snapshot, static s => Encode(s));

    private static EncodedSnapshot Encode(ProxySnapshot snapshot)
    {
        var resources = ImmutableArray.CreateBuilder<EncodedResource>();
        var composite = CompositeBuffer ??= new ArrayBufferWriter<byte>(64 * 1024);
        composite.ResetWrittenCount();
        foreach (var type in SnapshotResources.Types)
        {
            if (SnapshotResources.Elements(snapshot, type) is { Count: > 0 } elements)
            {
                var run = ByFirstElement.GetValue(elements[0]!, static _ => new ListRuns()).Get(type, elements, snapshot);
                resources.AddRange(run.Resources);
                composite.Write(run.CompositeEntries);
                continue;
            }

            foreach (var part in SnapshotResources.Split(snapshot, type))
            {
                var encoded = EncodingOf(part);
                resources.Add(encoded);
                composite.Write(encoded.CompositeEntry);
            }
        }

        // Same value as SnapshotResources.CompositeVersion over (key, version) in this order.
        var version = SnapshotResources.CompositeVersionOf(composite.WrittenSpan);
        if (composite.Capacity > 4 * 1024 * 1024)
        {
            CompositeBuffer = null; // an unusually large snapshot's buffer is not kept for the thread's lifetime
        }

        return new EncodedSnapshot(resources.ToImmutable(), version);
    }

    private static EncodedResource EncodingOf(SnapshotPart part) =>
        ByPart.GetValue(part.Value, static _ => new PartEncodings()).Get(part);

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

    /// <summary>
    /// The runs cut from lists that start with one object: one per distinct list that starts with
    /// it — with one <c>Sidecar</c> per workload, each scope's virtual hosts and clusters start
    /// with the same service's (the one every scope imports), so hundreds of lists share a first
    /// element and each must stay cut, or every shape cuts its list again. Found by a hash of the
    /// elements' identities; bounded by the elements the runs hold (<see cref="MaxElements"/>):
    /// the oldest runs go first, so the lists of past pushes (endpoint churn replaces a cluster in
    /// every list that holds it) do not stay alive.
    /// </summary>
    private sealed class ListRuns
    {
        internal const int MaxElements = 16 * 1024;
        private readonly Lock _gate = new();
        private ListRun[] _runs = [];

        public ListRun Get(SnapshotResourceType type, IList elements, ProxySnapshot snapshot)
        {
            var hash = ListRun.HashOf(elements);
            foreach (var run in Volatile.Read(ref _runs))
            {
                if (run.Hash == hash && run.Matches(type, elements))
                {
                    return run;
                }
            }

            var created = ListRun.Cut(type, elements, snapshot, hash);
            lock (_gate)
            {
                // Newest last: the newest runs that fit beside it in MaxElements are kept, the older ones dropped.
                var held = created.Count;
                var start = _runs.Length;
                while (start > 0 && held + _runs[start - 1].Count <= MaxElements)
                {
                    held += _runs[--start].Count;
                }

                _runs = [.. _runs.AsSpan(start), created];
            }

            return created;
        }
    }

    /// <summary>
    /// One list field's elements (these objects, in this order) as resources of one type, with
    /// their composite-version entries concatenated. It holds the list's elements, which the
    /// snapshots sharing the list hold anyway.
    /// </summary>
    private sealed class ListRun
    {
        private readonly SnapshotResourceType _type;
        private readonly object[] _elements;

        private ListRun(SnapshotResourceType type, object[] elements, ImmutableArray<EncodedResource> resources, byte[] compositeEntries, int hash)
        {
            _type = type;
            _elements = elements;
            Resources = resources;
            CompositeEntries = compositeEntries;
            Hash = hash;
        }

        /// <summary>The hash of the elements' identities (<see cref="HashOf"/>).</summary>
        public int Hash { get; }

        /// <summary>How many elements the run holds.</summary>
        public int Count => _elements.Length;

        public static int HashOf(IList elements)
        {
            var hash = new HashCode();
            foreach (var element in elements)
            {
                hash.Add(RuntimeHelpers.GetHashCode(element));
            }

            return hash.ToHashCode();
        }

        public ImmutableArray<EncodedResource> Resources { get; }

        public byte[] CompositeEntries { get; }

        public static ListRun Cut(SnapshotResourceType type, IList elements, ProxySnapshot snapshot, int hash)
        {
            var resources = SnapshotResources.Split(snapshot, type).Select(EncodingOf).ToImmutableArray();
            var entries = new ArrayBufferWriter<byte>(resources.Sum(r => r.CompositeEntry.Length));
            foreach (var resource in resources)
            {
                entries.Write(resource.CompositeEntry);
            }

            var copy = new object[elements.Count];
            elements.CopyTo(copy, 0);
            return new ListRun(type, copy, resources, entries.WrittenSpan.ToArray(), hash);
        }

        public bool Matches(SnapshotResourceType type, IList elements)
        {
            if (!ReferenceEquals(type, _type) || elements.Count != _elements.Length)
            {
                return false;
            }

            for (var i = 0; i < _elements.Length; i++)
            {
                if (!ReferenceEquals(elements[i], _elements[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
