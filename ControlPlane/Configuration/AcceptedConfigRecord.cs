using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Config.Loading;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// The last accepted configuration as <see cref="AcceptedConfigJournal"/> keeps it: every input the
/// model was compiled from (the config directory's files, or the Kubernetes objects, by origin; and
/// the API-applied objects as canonical YAML), with the generation and each object's bookkeeping,
/// so a restart rebuilds the same model at the same generation without reading any source.
/// </summary>
internal sealed record AcceptedConfigRecord(
    long Generation,
    DateTimeOffset AcceptedAt,
    string ChangeSource,
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyList<string> Applied,
    IReadOnlyList<AcceptedEntryRecord> Entries)
{
    /// <summary>The record of an accepted model: its files, the API-applied objects and each entry's bookkeeping.</summary>
    public static AcceptedConfigRecord Of(ConfigStoreModel model, IReadOnlyDictionary<string, string> files, IEnumerable<ConfigObject> applied) => new(
        model.Generation,
        model.AcceptedAt,
        model.ChangeSource,
        files,
        [.. applied.Select(o => YamlOf(model, o))],
        [.. model.Entries.Values.Select(e => new AcceptedEntryRecord(e.Key, e.Source, e.Generation, e.UpdatedAt))]);

    // An applied object's canonical YAML as its entry holds it (the entry is of this very object,
    // serialized when it was new or changed): journaling a one-object change then serializes that
    // object, not every applied object of the mesh again (251 with one Sidecar per service).
    private static string YamlOf(ConfigStoreModel model, ConfigObject configObject) =>
        model.Entries.TryGetValue(configObject.Key, out var entry) && ReferenceEquals(entry.Object, configObject)
            ? entry.Yaml
            : ConfigSerializer.ToYaml(configObject);
}

/// <summary>One accepted object's bookkeeping: where it came from and when it last changed.</summary>
internal sealed record AcceptedEntryRecord(string Key, string Source, long Generation, DateTimeOffset UpdatedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AcceptedConfigRecord))]
internal sealed partial class AcceptedConfigJsonContext : JsonSerializerContext;
