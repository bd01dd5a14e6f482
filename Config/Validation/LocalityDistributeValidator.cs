using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Istio's rules for <c>localityLbSetting.distribute</c> (validateLocalityLbSetting, validateLocalities):
/// every <c>to</c> weight in 1–100 and their sum exactly 100; localities are <c>region[/zone[/subzone]]</c>
/// without empty parts, with at most one <c>*</c> and only as the last part; the <c>from</c> localities
/// of all entries, and the <c>to</c> localities of one entry, must not overlap (one containing another).
/// </summary>
internal static class LocalityDistributeValidator
{
    public static void Validate(IReadOnlyList<LocalityDistribute> distribute, string path, ValidationContext context)
    {
        var sources = new List<(string Locality, string Path)>();
        for (var i = 0; i < distribute.Count; i++)
        {
            var entry = distribute[i];
            var at = $"{path}[{i}]";
            if (string.IsNullOrEmpty(entry.From))
            {
                context.Error($"{at}.from", "locality lb distribute must specify the source locality ('from')");
            }
            else
            {
                sources.Add((entry.From, $"{at}.from"));
            }

            if (entry.To.Count == 0)
            {
                context.Error($"{at}.to", "locality lb distribute must specify destination localities and their weights ('to')");
                continue;
            }

            ulong total = 0;
            var destinations = new List<(string Locality, string Path)>();
            foreach (var (locality, weight) in entry.To)
            {
                var keyPath = FieldPath.Key($"{at}.to", locality);
                destinations.Add((locality, keyPath));
                total += weight;
                if (weight is 0 or > 100)
                {
                    context.Error(keyPath, $"locality weight must be in range [1, 100] (got {weight})");
                }
            }

            if (total != 100)
            {
                context.Error($"{at}.to", $"total locality weight {total} != 100");
            }

            CheckLocalities(destinations, context);
        }

        CheckLocalities(sources, context);
    }

    private static void CheckLocalities(List<(string Locality, string Path)> localities, ValidationContext context)
    {
        var accepted = new List<string[]>();
        foreach (var (locality, path) in localities)
        {
            var parts = locality.Split('/');
            var stars = locality.Count(c => c == '*');
            if (parts.Length > 3 || parts.Any(p => p.Length == 0))
            {
                context.Error(path, $"locality {FieldPath.Quote(locality)} must be region[/zone[/subzone]] without empty parts");
            }
            else if (stars > 1 || (stars == 1 && parts[^1] != "*"))
            {
                context.Error(path, $"locality {FieldPath.Quote(locality)} wildcard '*' number can not exceed 1 and must be in the end");
            }
            else if (accepted.Any(other => Overlap(other, parts)))
            {
                context.Error(path, $"locality {FieldPath.Quote(locality)} overlap with previous specified ones");
            }
            else
            {
                accepted.Add(parts);
            }
        }
    }

    // One locality contains the other: equal on their common parts, where "*" matches anything and a
    // missing part (a shorter prefix) is everything below it.
    private static bool Overlap(string[] a, string[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] == "*" || b[i] == "*")
            {
                return true;
            }

            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }
}
