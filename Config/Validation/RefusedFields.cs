using System.Collections;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Refuses every field marked <see cref="Model.Common.RefusedAttribute"/> that a spec sets, by its
/// path and with the reason: a real Istio field Mesh does not implement is never "unknown" and
/// never silently dropped. Unset means what it means in proto3: absent, empty, false or 0.
/// </summary>
internal static class RefusedFields
{
    public static void Check(object record, string path, ValidationContext context)
    {
        foreach (var field in RecordShape.For(record.GetType()).Fields)
        {
            var value = field.Property.GetValue(record);
            if (!IsSet(value))
            {
                continue;
            }

            var fieldPath = FieldPath.Field(path, field.Name);
            if (field.Refused is { } reason)
            {
                context.Error(fieldPath, $"{field.Name} is not supported: {reason}");
                continue;
            }

            if (!RecordShape.IsRecord(field.ValueType))
            {
                continue;
            }

            switch (value)
            {
                case IEnumerable entries when IsMap(value!.GetType()):
                    foreach (var entry in entries)
                    {
                        var entryType = entry.GetType();
                        var key = (string)entryType.GetProperty("Key")!.GetValue(entry)!;
                        Check(entryType.GetProperty("Value")!.GetValue(entry)!, FieldPath.Key(fieldPath, key), context);
                    }

                    break;
                case IEnumerable items:
                    var index = 0;
                    foreach (var item in items)
                    {
                        Check(item, FieldPath.Index(fieldPath, index++), context);
                    }

                    break;
                default:
                    Check(value!, fieldPath, context);
                    break;
            }
        }
    }

    private static bool IsSet(object? value) => value switch
    {
        null => false,
        string text => text.Length > 0,
        bool flag => flag,
        int or uint or long or ulong or double => Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) != 0,
        ICollection collection => collection.Count > 0,
        IEnumerable items => items.GetEnumerator().MoveNext(),
        _ => true,
    };

    private static bool IsMap(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));
}
