using System.Globalization;
using System.Reflection;
using k8s.Models;
using Mesh.Config.Loading;
using Mesh.Config.Model.Common;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Derives a CRD's OpenAPI v3 (structural) schema from the Mesh.Config record a kind's spec binds
/// to, walking the same shape the YAML binder walks: field names are the camelCase property names
/// or their <see cref="YamlNameAttribute"/> spelling (aliases included, since the binder accepts
/// them), enums are string enums of Istio's names, durations are strings with Istio's duration
/// pattern, oneofs are plain optional properties (the validator enforces "only one"), lists are
/// arrays and string-keyed maps are objects with <c>additionalProperties</c>. So the API server
/// admits exactly the shapes our validator can read; semantic rules stay the validator's job.
/// </summary>
internal static class CrdSchemaGenerator
{
    /// <summary>Go's <c>time.ParseDuration</c> syntax as Istio accepts it ("1s", "0.5s", "100ms", "1h30m", "0").</summary>
    public const string DurationPattern = @"^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$";

    /// <summary>The schema of a whole custom resource: spec from <paramref name="specType"/>, status kept as written.</summary>
    public static V1JSONSchemaProps ForResource(Type specType) => new()
    {
        Type = "object",
        Properties = new Dictionary<string, V1JSONSchemaProps>(StringComparer.Ordinal)
        {
            ["spec"] = ForType(specType, []),
            // Istio's CRDs keep status free-form: controllers write conditions and validation messages.
            ["status"] = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true },
        },
        Required = ["spec"],
    };

    public static V1JSONSchemaProps ForType(Type type, HashSet<Type> visiting)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return new V1JSONSchemaProps { Type = "string" };
        }

        if (target == typeof(bool))
        {
            return new V1JSONSchemaProps { Type = "boolean" };
        }

        if (target == typeof(int))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int32" };
        }

        if (target == typeof(long))
        {
            return new V1JSONSchemaProps { Type = "integer", Format = "int64" };
        }

        if (target == typeof(uint))
        {
            return new V1JSONSchemaProps { Type = "integer", Minimum = 0, Maximum = uint.MaxValue };
        }

        if (target == typeof(ulong))
        {
            return new V1JSONSchemaProps { Type = "integer", Minimum = 0 };
        }

        if (target == typeof(double))
        {
            return new V1JSONSchemaProps { Type = "number", Format = "double" };
        }

        if (target == typeof(TimeSpan))
        {
            return new V1JSONSchemaProps { Type = "string", Pattern = DurationPattern };
        }

        if (target.IsEnum)
        {
            return new V1JSONSchemaProps { Type = "string", EnumProperty = [.. IstioEnum.Names(target).Cast<object>()] };
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(ValueList<>))
        {
            return new V1JSONSchemaProps { Type = "array", Items = ForType(target.GetGenericArguments()[0], visiting) };
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(ValueMap<>))
        {
            return new V1JSONSchemaProps { Type = "object", AdditionalProperties = ForType(target.GetGenericArguments()[0], visiting) };
        }

        if (IsRecord(target))
        {
            return ForRecord(target, visiting);
        }

        throw new NotSupportedException($"{target.FullName} has no CRD schema mapping: extend {nameof(CrdSchemaGenerator)} with it");
    }

    private static V1JSONSchemaProps ForRecord(Type type, HashSet<Type> visiting)
    {
        // Structural schemas cannot refer to themselves; Istio's API has no recursive messages.
        if (!visiting.Add(type))
        {
            throw new NotSupportedException($"{type.FullName} is recursive; a structural CRD schema cannot express it");
        }

        var properties = new Dictionary<string, V1JSONSchemaProps>(StringComparer.Ordinal);
        foreach (var property in Fields(type))
        {
            var attribute = property.GetCustomAttribute<YamlNameAttribute>();
            var schema = ForType(property.PropertyType, visiting);
            properties[attribute?.Name ?? CamelCase(property.Name)] = schema;
            foreach (var alias in attribute?.Aliases ?? [])
            {
                properties[alias] = ForType(property.PropertyType, visiting);
            }
        }

        visiting.Remove(type);
        return new V1JSONSchemaProps { Type = "object", Properties = properties };
    }

    // The binder's rule (RecordShape): public writable instance properties, in declaration order.
    private static IEnumerable<PropertyInfo> Fields(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken);

    private static bool IsRecord(Type type) =>
        type.IsClass && type.Namespace?.StartsWith("Mesh.Config.Model", StringComparison.Ordinal) == true
        && !type.IsGenericType && type.GetConstructor(Type.EmptyTypes) is not null;

    private static string CamelCase(string name) => char.ToLower(name[0], CultureInfo.InvariantCulture) + name[1..];
}
