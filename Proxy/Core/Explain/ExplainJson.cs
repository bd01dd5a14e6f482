using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// The JSON of an explanation: <c>{"result": {...}, "outcome": {"forwarded"|"status", "reason"}, "steps": [{"stage", "verdict", "detail", "items": [...]}]}</c>.
/// </summary>
internal static class ExplainJson
{
    // Explanations quote names ('jason', "-shadow") and are read by people: no \u0027 escapes.
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Error(string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("error", message);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] Write(ExplainContext explanation)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteStartObject("result");
            foreach (var (name, value) in explanation.Result.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteStartObject("outcome");
            json.WriteBoolean("forwarded", !explanation.Ended);
            if (explanation.Ended)
            {
                json.WriteNumber("status", explanation.EndStatus);
                json.WriteString("reason", explanation.EndReason);
            }

            json.WriteEndObject();
            json.WriteStartArray("steps");
            foreach (var step in explanation.Steps)
            {
                json.WriteStartObject();
                json.WriteString("stage", step.Stage);
                json.WriteString("verdict", step.Verdict);
                json.WriteString("detail", step.Detail);
                if (step.Items.Count > 0)
                {
                    json.WriteStartArray("items");
                    foreach (var item in step.Items)
                    {
                        json.WriteStartObject();
                        json.WriteString("name", item.Name);
                        json.WriteString("verdict", item.Verdict);
                        json.WriteString("detail", item.Detail);
                        if (item.Fields.Count > 0)
                        {
                            json.WriteStartObject("fields");
                            foreach (var (name, value) in item.Fields)
                            {
                                json.WriteString(name, value);
                            }

                            json.WriteEndObject();
                        }
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
