using System.Globalization;
using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Binds a YAML node to a config record by walking the record's properties, collecting every
/// problem with its field path and line (unknown field, wrong type, bad duration, invalid enum
/// value) instead of stopping at the first one. Aliases are followed, but a recursive alias is
/// an error and every use of an alias counts against <see cref="ParserLimits.MaxBoundValuesPerDocument"/>,
/// so an alias bomb stops early instead of expanding.
/// </summary>
internal sealed class SpecBinder
{
    private readonly List<(string Path, string Message, int Line)> _errors = [];
    private readonly HashSet<YamlNode> _binding = new(ReferenceEqualityComparer.Instance);
    private readonly Budget _budget;
    private readonly int _lineOffset;

    /// <param name="lineOffset">Added to node lines (which count from the document's chunk) to give origin lines.</param>
    public SpecBinder(int lineOffset)
        : this(lineOffset, new Budget())
    {
    }

    private SpecBinder(int lineOffset, Budget budget)
    {
        _lineOffset = lineOffset;
        _budget = budget;
    }

    public IReadOnlyList<(string Path, string Message, int Line)> Errors => _errors;

    /// <summary>A binder for the next object of the same document (a <c>List</c> item): own errors, shared budget.</summary>
    public SpecBinder ForObject() => new(_lineOffset, _budget);

    /// <summary>A binder for YAML embedded in a string of this document (the mesh config): own line offset and errors, shared budget.</summary>
    public SpecBinder Nested(int lineOffset) => new(lineOffset, _budget);

    /// <summary>Takes over the errors of a <see cref="Nested"/> binder.</summary>
    public void Adopt(SpecBinder nested) => _errors.AddRange(nested._errors);

    public object? Bind(Type type, YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        if (++_budget.Values > ParserLimits.MaxBoundValuesPerDocument)
        {
            if (!_budget.Reported)
            {
                _budget.Reported = true;
                Fail(path, $"the document expands to more than {ParserLimits.MaxBoundValuesPerDocument} values (aliases count each time they are used); the rest was not read", node);
            }

            return null;
        }

        if (!_binding.Add(node))
        {
            return Fail(path, "a recursive alias: this node contains itself", node);
        }

        try
        {
            return BindNode(type, node, path);
        }
        finally
        {
            _binding.Remove(node);
        }
    }

    /// <summary>Reports a mapping key that is not a field of the record at <paramref name="path"/>.</summary>
    public void Unknown(string path, YamlNode key, YamlNode value)
    {
        if (key is YamlScalarNode { Value: { } name })
        {
            Fail(FieldPath.Key(path, name), $"unknown field {FieldPath.Quote(name)}", key);
        }
        else
        {
            Fail(path, $"field names must be strings, got {Describe(key)}", key.Start.Line > 0 ? key : value);
        }
    }

    public object? Fail(string path, string message, YamlNode? node, int fallbackLine = 0)
    {
        var line = node is not null && node.Start.Line > 0 ? (int)node.Start.Line + _lineOffset : fallbackLine;
        _errors.Add((path, message, line));
        return null;
    }

    private object? BindNode(Type type, YamlNode node, string path)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return node is not YamlScalarNode scalar ? Fail(path, $"expected a string, got {Describe(node)}", node)
                : IsValidUnicode(scalar.Value) ? scalar.Value ?? ""
                : Fail(path, InvalidUnicode, node);
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
            return Fail(path, $"expected {Expected(target)}, got {Describe(node)}", node);
        }

        return BindScalar(target, text, path);
    }

    private object? BindRecord(Type type, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            return Fail(path, $"expected a mapping, got {Describe(node)}", node);
        }

        var shape = RecordShape.For(type);
        var record = Activator.CreateInstance(type)!;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var field = keyNode is YamlScalarNode { Value: { } key } ? shape.Find(key) : null;
            if (field is null)
            {
                Unknown(path, keyNode, valueNode);
                continue;
            }

            var value = Bind(field.Property.PropertyType, valueNode, FieldPath.Field(path, field.Name));
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
            return Fail(path, $"expected a list, got {Describe(node)}", node);
        }

        var elementType = listType.GetGenericArguments()[0];
        var items = new List<object>(sequence.Children.Count);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = FieldPath.Index(path, i);
            var item = sequence.Children[i];
            if (IsNull(item))
            {
                Fail(itemPath, "a list item may not be null", item);
                continue;
            }

            // An empty mapping (`- {}`) is a real item: bind it to an empty record. Items that
            // fail to bind are left out (the error says why), so the list stays well-typed.
            if (Bind(elementType, item, itemPath) is { } value)
            {
                items.Add(value);
            }
        }

        var array = Array.CreateInstance(elementType, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            array.SetValue(items[i], i);
        }

        var immutable = typeof(System.Collections.Immutable.ImmutableArray).GetMethods()
            .First(m => m.Name == "Create" && m.GetParameters() is [{ ParameterType.IsArray: true }])
            .MakeGenericMethod(elementType)
            .Invoke(null, [array])!;
        return Activator.CreateInstance(listType, immutable);
    }

    private object? BindMap(Type mapType, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            return Fail(path, $"expected a mapping, got {Describe(node)}", node);
        }

        var valueType = mapType.GetGenericArguments()[0];
        var pairType = typeof(KeyValuePair<,>).MakeGenericType(typeof(string), valueType);
        var entries = new List<object>(mapping.Children.Count);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Fail(path, $"map keys must be strings, got {Describe(keyNode)}", keyNode);
                continue;
            }

            var entryPath = FieldPath.Key(path, key);
            if (!IsValidUnicode(key))
            {
                Fail(entryPath, InvalidUnicode, keyNode);
                continue;
            }

            object? value;
            if (IsNull(valueNode))
            {
                // `{}`-style presence matches are written as mappings; a bare null is only valid for records.
                value = RecordShape.IsRecord(valueType) ? Activator.CreateInstance(valueType) : Fail(entryPath, "a value is required", valueNode);
            }
            else
            {
                value = Bind(valueType, valueNode, entryPath);
            }

            if (value is not null)
            {
                entries.Add(Activator.CreateInstance(pairType, key, value)!);
            }
        }

        var array = Array.CreateInstance(pairType, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            array.SetValue(entries[i], i);
        }

        return Activator.CreateInstance(mapType, array);
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
                _ => Fail(path, $"expected true or false, got {FieldPath.Quote(text)}", node),
            };
        }

        if (type == typeof(TimeSpan))
        {
            return IstioDuration.TryParse(text, out var duration)
                ? duration
                : Fail(path, $"invalid duration {FieldPath.Quote(text)}; expected a duration such as \"1s\", \"0.5s\", \"100ms\", \"1m\" or \"1h\"", node);
        }

        if (type.IsEnum)
        {
            return IstioEnum.TryParse(type, text, out var value)
                ? value
                : Fail(path, $"invalid value {FieldPath.Quote(text)}; expected one of {string.Join(", ", IstioEnum.Names(type))}", node);
        }

        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? number
                : Fail(path, $"expected a number, got {FieldPath.Quote(text)}", node);
        }

        if (type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong))
        {
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return Fail(path, $"expected an integer, got {FieldPath.Quote(text)}", node);
            }

            try
            {
                return Convert.ChangeType(number, type, CultureInfo.InvariantCulture);
            }
            catch (OverflowException)
            {
                var unsigned = type == typeof(uint) || type == typeof(ulong);
                return Fail(path, unsigned && number < 0 ? $"value {text} must not be negative" : $"value {text} is out of range", node);
            }
        }

        return Fail(path, $"unsupported field type {type.Name}", node);
    }

    private const string InvalidUnicode = "invalid Unicode: an unpaired surrogate (a \\uD800-\\uDFFF escape on its own)";

    // YAML's "\uD800" escape decodes to half a character, which no JSON or YAML writer accepts.
    private static bool IsValidUnicode(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

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
        YamlScalarNode scalar => FieldPath.Quote(scalar.Value ?? ""),
        _ => node.NodeType.ToString(),
    };

    // Shared by the binders of one document (a List's items count together).
    private sealed class Budget
    {
        public int Values;
        public bool Reported;
    }
}
