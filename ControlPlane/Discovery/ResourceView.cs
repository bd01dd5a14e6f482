using System.Runtime.CompilerServices;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// What a proxy on the incremental stream holds, as the control plane knows it: the snapshot's
/// version and every resource's version in canonical order. A composite version names exactly
/// one view, so deltas between two views are computed once and shared (<see cref="SnapshotDeltaPlans"/>).
/// </summary>
internal sealed class ResourceView
{
    public static readonly ResourceView Empty = new("", []);

    private static readonly ConditionalWeakTable<EncodedSnapshot, ResourceView> BySnapshot = new();

    private Dictionary<SnapshotResourceKey, string>? _versions;

    private ResourceView(string version, IReadOnlyList<(SnapshotResourceKey Key, string Version)> resources)
    {
        Version = version;
        Resources = resources;
    }

    public string Version { get; }

    /// <summary>Every resource in canonical order.</summary>
    public IReadOnlyList<(SnapshotResourceKey Key, string Version)> Resources { get; }

    public IReadOnlyDictionary<SnapshotResourceKey, string> Versions =>
        _versions ??= Resources.ToDictionary(r => r.Key, r => r.Version);

    /// <summary>The view of a built snapshot, made once per snapshot (shared by every proxy that acknowledged it).</summary>
    public static ResourceView Of(EncodedSnapshot snapshot) =>
        BySnapshot.GetValue(snapshot, static s => new ResourceView(s.Version, [.. s.Resources.Select(r => (r.Key, r.Version))]));

    /// <summary>
    /// What a reconnecting proxy says it holds. A claim whose resources do not make its version
    /// (a proxy that lost track) counts as nothing held: it is sent everything.
    /// </summary>
    public static ResourceView FromHello(Hello hello)
    {
        if (hello.Version.Length == 0)
        {
            return Empty;
        }

        var resources = hello.Resources.Select(r => (new SnapshotResourceKey(r.Type, r.Name), r.Version)).ToList();
        return SnapshotResources.CompositeVersion(resources) == hello.Version && resources.DistinctBy(r => r.Item1).Count() == resources.Count
            ? new ResourceView(hello.Version, resources)
            : Empty;
    }
}
