using Mesh.Config.Loading;
using Mesh.Config.Model;

namespace Mesh.Config.Tests.IstioApi;

/// <summary>One field of Istio's API as <c>tools/istio-api-fields</c> lists it: <c>spec.http[].match[].headers{}.exact</c>.</summary>
internal sealed record IstioField(ConfigKind Kind, string Path);

/// <summary>A field of the records, reached from a kind's spec: the Istio-style path and the C# field it lands on.</summary>
internal sealed record ModelField(ConfigKind Kind, string Path, FieldShape Field, int Depth);

/// <summary>
/// Istio's field list (IstioApi/istio-fields.tsv, generated from istio/api's CRDs) and the same
/// paths walked through Mesh's records, so the two can be compared in both directions.
/// </summary>
internal static class IstioFieldList
{
    public static IReadOnlyList<IstioField> Load() =>
    [
        .. File.ReadLines(Path.Combine(RepositoryFiles.Root, "Tests", "Mesh.Config.Tests", "IstioApi", "istio-fields.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(p => new IstioField(ConfigKinds.Istio.SingleOrDefault(k => k.Kind == p[0]) ?? throw new InvalidOperationException($"unknown kind {p[0]}"), p[1])),
    ];

    /// <summary>Walks a path through the records; null when a segment is not a field of them.</summary>
    public static FieldShape? Resolve(ConfigKind kind, string path)
    {
        var type = kind.SpecType;
        FieldShape? field = null;
        foreach (var segment in path.Split('.').Skip(1))
        {
            if (!RecordShape.IsRecord(type))
            {
                return null;
            }

            field = RecordShape.For(type).Find(segment.TrimEnd('[', ']', '{', '}'));
            if (field is null || !Shape(segment).Equals(Shape(field)))
            {
                return null;
            }

            type = field.ValueType;
        }

        return field;
    }

    /// <summary>Every field of a kind's records, depth first in declaration order, aliases included.</summary>
    public static IEnumerable<ModelField> Walk(ConfigKind kind) => Walk(kind, kind.SpecType, "spec", 0);

    private static IEnumerable<ModelField> Walk(ConfigKind kind, Type type, string path, int depth)
    {
        foreach (var field in RecordShape.For(type).Fields)
        {
            foreach (var name in field.Aliases.Prepend(field.Name))
            {
                var fieldPath = $"{path}.{name}{Shape(field)}";
                yield return new ModelField(kind, fieldPath, field, depth);
                if (RecordShape.IsRecord(field.ValueType) && name == field.Name)
                {
                    foreach (var child in Walk(kind, field.ValueType, fieldPath, depth + 1))
                    {
                        yield return child;
                    }
                }
            }
        }
    }

    private static string Shape(string segment) =>
        segment.EndsWith("[]", StringComparison.Ordinal) ? "[]" : segment.EndsWith("{}", StringComparison.Ordinal) ? "{}" : "";

    private static string Shape(FieldShape field)
    {
        var type = field.Property.PropertyType;
        return !type.IsGenericType ? ""
            : type.GetGenericTypeDefinition() == typeof(Model.Common.ValueList<>) ? "[]"
            : type.GetGenericTypeDefinition() == typeof(Model.Common.ValueMap<>) ? "{}"
            : "";
    }
}
