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
                    return new FieldShape(attribute?.Name ?? CamelCase(p.Name), attribute?.Aliases ?? [], p);
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

internal sealed record FieldShape(string Name, string[] Aliases, PropertyInfo Property);
