using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// Writes a JSON document as YAML (block style, keys in order), quoting strings that YAML would
/// read as another type — the inverse of <see cref="YamlToJson"/>, for objects the admin API
/// shows with their status.
/// </summary>
internal static partial class JsonToYaml
{
    public static string Convert(JsonNode node)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Write(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Write(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject mapping:
                emitter.Emit(new MappingStart());
                foreach (var (key, value) in mapping)
                {
                    Text(emitter, key);
                    Write(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray sequence:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in sequence)
                {
                    Write(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                Text(emitter, value.GetValue<string>());
                break;
            case JsonValue value:
                Plain(emitter, value.ToJsonString());
                break;
            default:
                Plain(emitter, "null");
                break;
        }
    }

    private static void Plain(IEmitter emitter, string text) => emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, true, false));

    private static void Text(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(null, null, text, text.Length == 0 || NonString().IsMatch(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any, true, true));

    [GeneratedRegex(@"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+)$")]
    private static partial Regex NonString();
}
