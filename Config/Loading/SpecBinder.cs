using System.Globalization;
using Mesh.Config.Model.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Binds a YAML node to a config record by walking the record's properties, collecting every
/// problem with its field path (unknown field, wrong type, bad duration, invalid enum value)
/// instead of stopping at the first one.
/// </summary>
internal sealed class SpecBinder
{
    private readonly List<(string Path, string Message)> _errors = [];

    public IReadOnlyList<(string Path, string Message)> Errors => _errors;

    public object? Bind(Type type, YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return node is YamlScalarNode scalar ? scalar.Value ?? "" : Fail(path, $"expected a string, got {Describe(node)}");
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(ValueList<>))
        {
            return BindList(target, node, path);
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(ValueMap<>))
        {
            return BindMap(target, node, path);
        }

        if (RecordShape.IsRecord(target))
        {
            return BindRecord(target, node, path);
        }

        if (node is not YamlScalarNode text)
        {
            return Fail(path, $"expected {Expected(target)}, got {Describe(node)}");
        }

        return BindScalar(target, text, path);
    }

    private object? BindRecord(Type type, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            return Fail(path, $"expected a mapping, got {Describe(node)}");
        }

        var shape = RecordShape.For(type);
        var record = Activator.CreateInstance(type)!;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var fieldPath = Join(path, key);
            var field = shape.Find(key);
            if (field is null)
            {
                Fail(fieldPath, $"unknown field \"{key}\"");
                continue;
            }

            var value = Bind(field.Property.PropertyType, valueNode, fieldPath);
            if (value is not null)
            {
                field.Property.SetValue(record, value);
            }
        }

        return record;
    }

    private object? BindList(Type listType, YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            return Fail(path, $"expected a list, got {Describe(node)}");
        }

        var elementType = listType.GetGenericArguments()[0];
        var items = Array.CreateInstance(elementType, sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            var item = sequence.Children[i];
            if (IsNull(item))
            {
                Fail(itemPath, "a list item may not be null");
                continue;
            }

            // An empty mapping (`- {}`) is a real item: bind it to an empty record.
            items.SetValue(Bind(elementType, item, itemPath), i);
        }

        var immutable = typeof(System.Collections.Immutable.ImmutableArray).GetMethods()
            .First(m => m.Name == "Create" && m.GetParameters() is [{ ParameterType.IsArray: true }])
            .MakeGenericMethod(elementType)
            .Invoke(null, [items])!;
        return Activator.CreateInstance(listType, immutable);
    }

    private object? BindMap(Type mapType, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            return Fail(path, $"expected a mapping, got {Describe(node)}");
        }

        var valueType = mapType.GetGenericArguments()[0];
        var pairType = typeof(KeyValuePair<,>).MakeGenericType(typeof(string), valueType);
        var entries = Array.CreateInstance(pairType, mapping.Children.Count);
        var index = 0;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var entryPath = Join(path, key);
            object? value;
            if (IsNull(valueNode))
            {
                // `{}`-style presence matches are written as mappings; a bare null is only valid for records.
                value = RecordShape.IsRecord(valueType) ? Activator.CreateInstance(valueType) : Fail(entryPath, "a value is required");
            }
            else
            {
                value = Bind(valueType, valueNode, entryPath);
            }

            value ??= valueType.IsValueType ? Activator.CreateInstance(valueType) : valueType == typeof(string) ? "" : Activator.CreateInstance(valueType);
            entries.SetValue(Activator.CreateInstance(pairType, key, value), index++);
        }

        return Activator.CreateInstance(mapType, entries);
    }

    private object? BindScalar(Type type, YamlScalarNode node, string path)
    {
        var text = node.Value ?? "";
        if (type == typeof(bool))
        {
            return text switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => Fail(path, $"expected true or false, got \"{text}\""),
            };
        }

        if (type == typeof(TimeSpan))
        {
            return IstioDuration.TryParse(text, out var duration)
                ? duration
                : Fail(path, $"invalid duration \"{text}\"; expected a duration such as \"1s\", \"0.5s\", \"100ms\", \"1m\" or \"1h\"");
        }

        if (type.IsEnum)
        {
            return IstioEnum.TryParse(type, text, out var value)
                ? value
                : Fail(path, $"invalid value \"{text}\"; expected one of {string.Join(", ", IstioEnum.Names(type))}");
        }

        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : Fail(path, $"expected a number, got \"{text}\"");
        }

        if (type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong))
        {
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return Fail(path, $"expected an integer, got \"{text}\"");
            }

            try
            {
                return Convert.ChangeType(number, type, CultureInfo.InvariantCulture);
            }
            catch (OverflowException)
            {
                var unsigned = type == typeof(uint) || type == typeof(ulong);
                return Fail(path, unsigned && number < 0 ? $"value {text} must not be negative" : $"value {text} is out of range");
            }
        }

        return Fail(path, $"unsupported field type {type.Name}");
    }

    private object? Fail(string path, string message)
    {
        _errors.Add((path, message));
        return null;
    }

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    internal static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Expected(Type type) =>
        type == typeof(bool) ? "true or false"
        : type == typeof(TimeSpan) ? "a duration"
        : type.IsEnum ? "one of " + string.Join(", ", IstioEnum.Names(type))
        : type == typeof(double) ? "a number"
        : "an integer";

    internal static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"\"{scalar.Value}\"",
        _ => node.NodeType.ToString(),
    };
}
