using Mesh.Contracts.Discovery;

namespace Mesh.Contracts.Snapshots;

/// <summary>
/// The proxy's side of the incremental discovery stream: holds the resources it serves and turns
/// each <see cref="SnapshotDelta"/> into the complete <see cref="ProxySnapshot"/> it describes,
/// exactly as a full snapshot of that state would be. <see cref="Apply"/> does not change what is
/// held: the caller <see cref="Commit"/>s the result once the snapshot was accepted, so a rejected
/// snapshot leaves the proxy holding (and the control plane assuming) what it had.
/// </summary>
/// <remarks>
/// A delta fits when its <c>base_version</c> is the held version ("" means start from nothing).
/// Removed keys go first; each resource then replaces or adds its key. A list type's order is the
/// delta's <c>orders</c> entry when present, else the held order without the removed names (so a
/// new name always comes with an order). The result must hash to the delta's <c>version</c>
/// (<see cref="SnapshotResources.CompositeVersion"/>); anything that does not fit throws
/// <see cref="InvalidDataException"/>: the proxy answers with a NACK asking for a resync.
/// </remarks>
public sealed class SnapshotDeltaAssembler
{
    private HeldResources _held = HeldResources.Empty;

    /// <summary>The version of the held snapshot ("" before the first delta).</summary>
    public string Version => _held.Version;

    /// <summary>What is held, every resource in canonical order: what a reconnecting proxy's Hello says it has.</summary>
    public IEnumerable<ResourceVersion> Resources() =>
        _held.Canonical().Select(r => new ResourceVersion { Type = r.Key.Type, Name = r.Key.Name, Version = r.Version });

    /// <summary>The snapshot the delta describes and the state that holds it (not yet held).</summary>
    public AssembledDelta Apply(SnapshotDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        delta = SnapshotDeltaCompression.Expand(delta);
        if (delta.BaseVersion != _held.Version && delta.BaseVersion.Length > 0)
        {
            throw new InvalidDataException($"the delta applies to version '{delta.BaseVersion}' but the proxy holds '{_held.Version}'");
        }

        var basis = delta.BaseVersion.Length == 0 ? HeldResources.Empty : _held;
        var entries = new Dictionary<SnapshotResourceKey, (string Version, SnapshotPart Part)>(basis.Entries);
        var removed = new HashSet<SnapshotResourceKey>();
        foreach (var key in delta.Removed)
        {
            var resourceKey = new SnapshotResourceKey(key.Type, key.Name);
            if (!entries.Remove(resourceKey))
            {
                throw new InvalidDataException($"the delta removes {resourceKey}, which the proxy does not hold");
            }

            removed.Add(resourceKey);
        }

        foreach (var resource in delta.Resources)
        {
            var type = SnapshotResources.FindType(resource.Type) ?? throw new InvalidDataException($"unknown resource type '{resource.Type}'");
            if (!type.IsList && resource.Name.Length > 0)
            {
                throw new InvalidDataException($"a {type.Name} resource has no name, got '{resource.Name}'");
            }

            var body = ProxySnapshot.Parser.ParseFrom(resource.Body);
            entries[new SnapshotResourceKey(type.Name, resource.Name)] = (resource.Version, SnapshotPart.FromBody(type, resource.Name, body));
        }

        var orders = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (type, names) in basis.Orders)
        {
            orders[type] = [.. names.Where(n => !removed.Contains(new SnapshotResourceKey(type, n)))];
        }

        foreach (var order in delta.Orders)
        {
            orders[order.Type] = [.. order.Names];
        }

        var next = new HeldResources(delta.Version, delta.Node ?? _held.Node, entries, orders);
        next.Validate();
        var version = SnapshotResources.CompositeVersion(next.Canonical().Select(r => (r.Key, r.Version)));
        if (version != delta.Version)
        {
            throw new InvalidDataException($"the resources after the delta make version '{version}', not '{delta.Version}'");
        }

        var snapshot = SnapshotResources.Assemble(next.Canonical().Select(r => entries[r.Key].Part));
        return new AssembledDelta(SnapshotResources.WithHeader(snapshot, delta.Version, next.Node, delta.ConfigGeneration), next);
    }

    /// <summary>Holds what an applied delta describes (after the proxy accepted its snapshot).</summary>
    public void Commit(AssembledDelta applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        _held = applied.Held;
    }

    /// <summary>Forgets everything held (the next delta must start from nothing).</summary>
    public void Reset() => _held = HeldResources.Empty;
}

/// <summary>A delta turned into the snapshot it describes (<see cref="SnapshotDeltaAssembler.Apply"/>).</summary>
public sealed class AssembledDelta
{
    internal AssembledDelta(ProxySnapshot snapshot, HeldResources held)
    {
        Snapshot = snapshot;
        Held = held;
    }

    /// <summary>The complete snapshot, header included; shares the resources' messages: treat as immutable.</summary>
    public ProxySnapshot Snapshot { get; }

    internal HeldResources Held { get; }
}

/// <summary>The resources a proxy holds: versions and parts by key, and each list type's order.</summary>
internal sealed class HeldResources(
    string version,
    Node? node,
    IReadOnlyDictionary<SnapshotResourceKey, (string Version, SnapshotPart Part)> entries,
    IReadOnlyDictionary<string, IReadOnlyList<string>> orders)
{
    public static readonly HeldResources Empty = new("", null, new Dictionary<SnapshotResourceKey, (string, SnapshotPart)>(), new Dictionary<string, IReadOnlyList<string>>());

    public string Version { get; } = version;

    public Node? Node { get; } = node;

    public IReadOnlyDictionary<SnapshotResourceKey, (string Version, SnapshotPart Part)> Entries { get; } = entries;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Orders { get; } = orders;

    /// <summary>Every resource in canonical order (<see cref="SnapshotResources.Split(ProxySnapshot)"/>'s).</summary>
    public IEnumerable<(SnapshotResourceKey Key, string Version)> Canonical()
    {
        foreach (var type in SnapshotResources.Types)
        {
            if (type.IsList)
            {
                foreach (var name in Orders.GetValueOrDefault(type.Name) ?? [])
                {
                    var key = new SnapshotResourceKey(type.Name, name);
                    yield return (key, Entries[key].Version);
                }
            }
            else if (Entries.TryGetValue(new SnapshotResourceKey(type.Name, ""), out var single))
            {
                yield return (new SnapshotResourceKey(type.Name, ""), single.Version);
            }
        }
    }

    /// <summary>Every list resource is in its type's order exactly once, and every ordered name is held.</summary>
    public void Validate()
    {
        var ordered = 0;
        foreach (var (type, names) in Orders)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (!seen.Add(name) || !Entries.ContainsKey(new SnapshotResourceKey(type, name)))
                {
                    throw new InvalidDataException($"the order of {type} names '{name}' twice or without its resource");
                }
            }

            ordered += names.Count;
        }

        var listed = Entries.Keys.Count(k => SnapshotResources.FindType(k.Type)?.IsList ?? false);
        if (listed != ordered)
        {
            throw new InvalidDataException($"{listed - ordered} held resources are in no order");
        }
    }
}
