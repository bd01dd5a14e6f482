using System.Text.Json.Nodes;

namespace Mesh.Cli.Output;

/// <summary>Text of a JSON value for tables and summaries: a string as is, anything else as JSON, missing or empty as <c>fallback</c>.</summary>
internal static class JsonText
{
    public static string Of(JsonNode? node, string fallback = "") =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? (text.Length == 0 ? fallback : text) : node?.ToJsonString() ?? fallback;
}
