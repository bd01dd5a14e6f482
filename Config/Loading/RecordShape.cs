using System.Collections.Concurrent;
using System.Reflection;
using Mesh.Config.Model.Common;

namespace Mesh.Config.Loading;

/// <summary>
/// The YAML field names of a config record, derived once per type by reflection: the property
/// name in camelCase (<c>PerTryTimeout</c> ↔ <c>perTryTimeout</c>) unless <see cref="YamlNameAttribute"/>
/// says otherwise. Shared by the binder and the serializer so both agree on every name.
/// </summary>
internal sealed class RecordShape
{
    private static readonly ConcurrentDictionary<Type, RecordShape> Cache = new();

    private readonly Dictionary<string, FieldShape> _byName;

    private RecordShape(Type type)
    {
        Type = type;
        Fields =
        [
            .. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                .OrderBy(p => p.MetadataToken)
                .Select(p =>
                {
                    var attribute = p.GetCustomAttribute<YamlNameAttribute>();
                    return new FieldShape(attribute?.Name ?? CamelCase(p.Name), attribute?.Aliases ?? [], p)
                    {
                        Refused = p.GetCustomAttribute<RefusedAttribute>()?.Reason,
                        Ignored = p.GetCustomAttribute<IgnoredAttribute>()?.Reason,
                        Limited = p.GetCustomAttribute<LimitedAttribute>()?.Limits,
                    };
                }),
        ];
        _byName = new Dictionary<string, FieldShape>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            _byName[field.Name] = field;
            foreach (var alias in field.Aliases)
            {
                _byName[alias] = field;
            }
        }
    }

    public Type Type { get; }

    public IReadOnlyList<FieldShape> Fields { get; }

    public static RecordShape For(Type type) => Cache.GetOrAdd(type, t => new RecordShape(t));

    /// <summary>Config records are the sealed classes of the Model namespaces with a parameterless constructor.</summary>
    public static bool IsRecord(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Mesh.Config.Model", StringComparison.Ordinal) == true
        && !type.IsGenericType && type.GetConstructor(Type.EmptyTypes) is not null;

    public FieldShape? Find(string yamlName) => _byName.GetValueOrDefault(yamlName);

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>One field: its YAML name and aliases, and what Mesh does with it (see <see cref="RefusedAttribute"/>).</summary>
internal sealed record FieldShape(string Name, string[] Aliases, PropertyInfo Property)
{
    /// <summary>Why Mesh refuses the field when it is set; null when it does not.</summary>
    public string? Refused { get; init; }

    /// <summary>Why Mesh accepts and ignores the field; null when it acts on it.</summary>
    public string? Ignored { get; init; }

    /// <summary>The limits of Mesh's implementation; null when there are none.</summary>
    public string? Limited { get; init; }

    /// <summary>The type of the field's values: the element of a list or map, without Nullable.</summary>
    public Type ValueType =>
        Nullable.GetUnderlyingType(Property.PropertyType) is { } inner ? inner
        : Property.PropertyType.IsGenericType && Property.PropertyType.GetGenericTypeDefinition() is var generic
            && (generic == typeof(ValueList<>) || generic == typeof(ValueMap<>)) ? Property.PropertyType.GetGenericArguments()[0]
        : Property.PropertyType;
}
