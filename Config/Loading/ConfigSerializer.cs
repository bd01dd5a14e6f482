using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.Config.Model;
using Mesh.Config.Model.MeshConfiguration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mesh.Config.Loading;

/// <summary>
/// Writes a <see cref="ConfigObject"/> as Istio YAML (apiVersion, kind, metadata, spec) that
/// <see cref="ConfigParser"/> reads back to an equal object and kubectl/Istio accept as is.
/// </summary>
public static partial class ConfigSerializer
{
    public static string ToYaml(ConfigObject configObject)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        WriteObject(emitter, configObject);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    /// <summary>Several objects as one multi-document stream (<c>---</c> separated).</summary>
    public static string ToYaml(IEnumerable<ConfigObject> objects) =>
        string.Join("---\n", objects.Select(ToYaml));

    private static void WriteObject(IEmitter emitter, ConfigObject configObject)
    {
        emitter.Emit(new MappingStart());
        Key(emitter, "apiVersion");
        Text(emitter, configObject.ApiVersion);
        Key(emitter, "kind");
        Text(emitter, ConfigKinds.FindExact(configObject.Kind)?.Kind ?? configObject.Kind);
        Key(emitter, "metadata");
        emitter.Emit(new MappingStart());
        Key(emitter, "name");
        Text(emitter, configObject.Metadata.Name);
        if (configObject.Metadata.Namespace.Length > 0)
        {
            Key(emitter, "namespace");
            Text(emitter, configObject.Metadata.Namespace);
        }

        WriteStringMap(emitter, "labels", configObject.Metadata.Labels);
        WriteStringMap(emitter, "annotations", configObject.Metadata.Annotations);
        emitter.Emit(new MappingEnd());
        if (configObject.Spec is IstioMeshConfigMap meshConfig)
        {
            // A ConfigMap's data are strings: the mesh config goes back as the text it was written as.
            Key(emitter, "data");
            emitter.Emit(new MappingStart());
            Key(emitter, "mesh");
            emitter.Emit(new Scalar(null, null, meshConfig.MeshText, meshConfig.MeshText.Contains('\n') ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted, true, true));
            if (meshConfig.MeshNetworksText is { } networks)
            {
                Key(emitter, "meshNetworks");
                emitter.Emit(new Scalar(null, null, networks, networks.Contains('\n') ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted, true, true));
            }

            emitter.Emit(new MappingEnd());
        }
        else
        {
            Key(emitter, "spec");
            WriteValue(emitter, configObject.Spec);
        }

        emitter.Emit(new MappingEnd());
    }

    private static void WriteStringMap(IEmitter emitter, string key, IReadOnlyDictionary<string, string> map)
    {
        if (map.Count == 0)
        {
            return;
        }

        Key(emitter, key);
        emitter.Emit(new MappingStart());
        foreach (var (name, value) in map)
        {
            Text(emitter, name);
            Text(emitter, value);
        }

        emitter.Emit(new MappingEnd());
    }

    private static void WriteValue(IEmitter emitter, object value)
    {
        switch (value)
        {
            case string text:
                Text(emitter, text);
                break;
            case bool flag:
                Plain(emitter, flag ? "true" : "false");
                break;
            case TimeSpan duration:
                Plain(emitter, IstioDuration.Format(duration));
                break;
            case Enum member:
                Plain(emitter, IstioEnum.Name(member));
                break;
            case double number:
                Plain(emitter, number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IFormattable number when value.GetType().IsPrimitive:
                Plain(emitter, number.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IDictionary or IEnumerable when IsMap(value.GetType()):
                emitter.Emit(new MappingStart());
                foreach (var entry in (IEnumerable)value)
                {
                    var entryType = entry.GetType();
                    Text(emitter, (string)entryType.GetProperty("Key")!.GetValue(entry)!);
                    WriteValue(emitter, entryType.GetProperty("Value")!.GetValue(entry)!);
                }

                emitter.Emit(new MappingEnd());
                break;
            case IEnumerable items:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in items)
                {
                    WriteValue(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            default:
                WriteRecord(emitter, value);
                break;
        }
    }

    private static void WriteRecord(IEmitter emitter, object record)
    {
        emitter.Emit(new MappingStart());
        foreach (var field in RecordShape.For(record.GetType()).Fields)
        {
            var value = field.Property.GetValue(record);
            if (value is null || (value is ICollection { Count: 0 }) || (value is IEnumerable and not string && IsEmpty((IEnumerable)value)))
            {
                continue;
            }

            Key(emitter, field.Name);
            WriteValue(emitter, value);
        }

        emitter.Emit(new MappingEnd());
    }

    private static bool IsEmpty(IEnumerable items) => !items.GetEnumerator().MoveNext();

    private static bool IsMap(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));

    private static void Key(IEmitter emitter, string key) => Plain(emitter, key);

    private static void Plain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, true, false));

    // Strings that YAML (1.1 or 1.2, as kubectl reads it) would resolve to another type are
    // quoted; multi-line text such as PEM or JWKS is written as a literal block.
    private static void Text(IEmitter emitter, string text)
    {
        var style = text.Length == 0 || NonStringScalar().IsMatch(text) || NeedsEscapes(text) ? ScalarStyle.DoubleQuoted
            : text.Contains('\n') && text.Split('\n').All(l => l.TrimEnd(' ') == l) ? ScalarStyle.Literal
            : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, true, true));
    }

    // Text a plain or block scalar would change: edge whitespace is trimmed, control characters
    // and other line breaks can only be written as escapes.
    private static bool NeedsEscapes(string text) =>
        char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1])
        || text.Any(c => (c < ' ' && c != '\n') || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff');

    [GeneratedRegex(@"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+)$")]
    private static partial Regex NonStringScalar();
}
