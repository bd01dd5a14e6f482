using System.Globalization;
using System.Text.Json.Nodes;

namespace Mesh.Hosting.Dashboard;

/// <summary>Scalars of the admin API's JSON, whatever JSON type the YAML they came from gave them.</summary>
internal static class JsonNodeValues
{
    public static string? Text(this JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    public static int? Number(this JsonNode? node) =>
        int.TryParse(node.Text(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;
}
