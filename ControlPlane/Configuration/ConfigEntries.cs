using System.Collections.Immutable;
using Mesh.Config.Loading;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// The bookkeeping of an accepted configuration's objects (<see cref="ConfigEntry"/>): which
/// objects changed, and at which generation each last did — from the previous configuration on a
/// change, from the journal's record on a restore.
/// </summary>
internal static class ConfigEntries
{
    /// <summary>
    /// The entries of <paramref name="compiled"/> as accepted at <paramref name="generation"/>: an
    /// object whose source and canonical YAML are as before keeps its entry (and the generation it
    /// changed at); <paramref name="changed"/> is set when any object is new or different.
    /// </summary>
    public static ImmutableSortedDictionary<string, ConfigEntry> Next(
        ConfigStoreModel current, CompiledConfig compiled, long generation, DateTimeOffset now, ref bool changed)
    {
        var entries = ImmutableSortedDictionary.CreateBuilder<string, ConfigEntry>(StringComparer.Ordinal);
        foreach (var configObject in compiled.Objects)
        {
            var origin = configObject.Source.Origin;
            current.Entries.TryGetValue(configObject.Key, out var previous);
            if (previous is not null && ReferenceEquals(previous.Object, configObject))
            {
                // The object the previous generation served (an applied object the request did not
                // touch, or a file's object whose text did not change): not serialized again, so a
                // one-object apply costs one serialization, not one per object of the mesh.
                entries[configObject.Key] = previous;
                continue;
            }

            var yaml = ConfigSerializer.ToYaml(configObject);
            if (previous is not null
                && previous.Source == origin
                && string.Equals(previous.Yaml, yaml, StringComparison.Ordinal))
            {
                entries[configObject.Key] = previous with { Object = configObject };
            }
            else
            {
                entries[configObject.Key] = new ConfigEntry(configObject, origin, yaml, generation, now);
                changed = true;
            }
        }

        return entries.ToImmutable();
    }

    /// <summary>The entries of a restored configuration: each object's generation and time as the record kept them, if its source is the same.</summary>
    public static ImmutableSortedDictionary<string, ConfigEntry> Restored(CompiledConfig compiled, AcceptedConfigRecord record)
    {
        var bookkeeping = record.Entries.ToDictionary(e => e.Key, StringComparer.Ordinal);
        var entries = ImmutableSortedDictionary.CreateBuilder<string, ConfigEntry>(StringComparer.Ordinal);
        foreach (var configObject in compiled.Objects)
        {
            var origin = configObject.Source.Origin;
            var (generation, updatedAt) = bookkeeping.TryGetValue(configObject.Key, out var entry) && entry.Source == origin
                ? (entry.Generation, entry.UpdatedAt)
                : (record.Generation, record.AcceptedAt);
            entries[configObject.Key] = new ConfigEntry(configObject, origin, ConfigSerializer.ToYaml(configObject), generation, updatedAt);
        }

        return entries.ToImmutable();
    }
}
