using System.Collections.Immutable;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// The accepted configuration: the <see cref="MeshModel"/> proxies are built from, plus each
/// object's source and change generation. Replaced whole on every accepted change.
/// </summary>
internal sealed record ConfigStoreModel(MeshModel Model, ImmutableSortedDictionary<string, ConfigEntry> Entries, DateTimeOffset AcceptedAt, string ChangeSource)
{
    /// <summary>Nothing accepted yet: not to be pushed (an empty snapshot would take every route away).</summary>
    public static ConfigStoreModel Empty { get; } = new(
        MeshModel.Empty, ImmutableSortedDictionary.Create<string, ConfigEntry>(StringComparer.Ordinal), DateTimeOffset.MinValue, "none");

    public long Generation => Model.Generation;

    /// <summary>
    /// True for a configuration that was accepted (or restored from the data directory) — an
    /// accepted empty configuration too, which keeps generation 0 — false for <see cref="Empty"/>.
    /// </summary>
    public bool IsAccepted { get; init; }

    /// <summary>Bytes of YAML the configuration was compiled from (files and API-applied objects).</summary>
    public long SourceBytes { get; init; }
}
