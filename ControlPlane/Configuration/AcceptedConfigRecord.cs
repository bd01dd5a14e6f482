using System.Text.Json;
using System.Text.Json.Serialization;

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
    IReadOnlyList<AcceptedEntryRecord> Entries);

/// <summary>One accepted object's bookkeeping: where it came from and when it last changed.</summary>
internal sealed record AcceptedEntryRecord(string Key, string Source, long Generation, DateTimeOffset UpdatedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AcceptedConfigRecord))]
internal sealed partial class AcceptedConfigJsonContext : JsonSerializerContext;
