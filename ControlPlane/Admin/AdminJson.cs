using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// The admin API's JSON settings: web defaults, nulls left out, indented (people read it with
/// curl), and no HTML-escaping of quotes in messages (nothing here is embedded in HTML).
/// </summary>
internal static class AdminJson
{
    public static AdminJsonContext Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
