using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Mesh.Config.Model.Common;

namespace Mesh.Config.Loading;

/// <summary>
/// Maps C# enum members to Istio's UPPER_SNAKE names (<c>RoundRobin</c> ↔ <c>ROUND_ROBIN</c>,
/// or the <see cref="IstioNameAttribute"/> spelling).
/// </summary>
public static class IstioEnum
{
    private static readonly ConcurrentDictionary<Type, (Dictionary<string, object> ByName, Dictionary<object, string> ByValue, string[] Names)> Cache = new();

    public static string Name(Enum value) => Maps(value.GetType()).ByValue[value];

    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => Maps(typeof(TEnum)).ByValue[value];

    public static bool TryParse(Type enumType, string text, out object value) =>
        Maps(enumType).ByName.TryGetValue(text, out value!);

    public static IReadOnlyList<string> Names(Type enumType) => Maps(enumType).Names;

    private static (Dictionary<string, object> ByName, Dictionary<object, string> ByValue, string[] Names) Maps(Type enumType) =>
        Cache.GetOrAdd(enumType, type =>
        {
            var byName = new Dictionary<string, object>(StringComparer.Ordinal);
            var byValue = new Dictionary<object, string>();
            var names = new List<string>();
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var name = field.GetCustomAttribute<IstioNameAttribute>()?.Name ?? UpperSnake(field.Name);
                var value = field.GetValue(null)!;
                byName[name] = value;
                byValue[value] = name;
                names.Add(name);
            }

            return (byName, byValue, [.. names]);
        });

    private static string UpperSnake(string name)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1]))
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(name[i]));
        }

        return text.ToString();
    }
}
