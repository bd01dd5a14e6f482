using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Traffic.Headers;

/// <summary>Validates and compiles snapshot header operations.</summary>
internal static class HeaderOperationsTranslator
{
    public static HeaderOperationsModel? Translate(HeaderOperations? operations, string path, TranslationErrors errors)
    {
        if (operations is null || (operations.Set.Count == 0 && operations.Add.Count == 0 && operations.Remove.Count == 0))
        {
            return null;
        }

        var before = errors.Count;
        var set = new List<KeyValuePair<string, string>>();
        var add = new List<KeyValuePair<string, string>>();
        var remove = new List<string>();
        foreach (var (name, value) in operations.Set.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (Check(name, value, $"{path}.set", errors))
            {
                set.Add(new(name.ToLowerInvariant(), value));
            }
        }

        foreach (var (name, value) in operations.Add.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (Check(name, value, $"{path}.add", errors))
            {
                add.Add(new(name.ToLowerInvariant(), value));
            }
        }

        foreach (var name in operations.Remove)
        {
            if (Check(name, string.Empty, $"{path}.remove", errors))
            {
                remove.Add(name.ToLowerInvariant());
            }
        }

        return errors.Count == before ? new HeaderOperationsModel(set, add, remove) : null;
    }

    private static bool Check(string name, string value, string path, TranslationErrors errors)
    {
        if (string.IsNullOrEmpty(name) || name.Any(c => c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal)))
        {
            errors.Add(path, name.StartsWith(':') ? $"pseudo-header '{name}' cannot be changed (use rewrite.authority for the authority)" : $"'{name}' is not a valid header name");
            return false;
        }

        if (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{path}[{name}]", "header values cannot contain CR, LF or NUL");
            return false;
        }

        return true;
    }
}
