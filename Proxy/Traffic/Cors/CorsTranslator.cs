using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Traffic.Cors;

/// <summary>Validates and compiles a snapshot route's <c>cors</c> policy.</summary>
internal static class CorsTranslator
{
    public static CorsPolicyModel? Translate(CorsPolicy? cors, string path, TranslationErrors errors)
    {
        if (cors is null)
        {
            return null;
        }

        var before = errors.Count;
        var origins = new List<StringMatcher>();
        for (var i = 0; i < cors.AllowOrigins.Count; i++)
        {
            var origin = cors.AllowOrigins[i];
            switch (origin.KindCase)
            {
                case StringMatch.KindOneofCase.Exact:
                    origins.Add(StringMatcher.Exact(origin.Exact, ignoreCase: false));
                    break;
                case StringMatch.KindOneofCase.Prefix:
                    origins.Add(StringMatcher.Prefix(origin.Prefix, ignoreCase: false));
                    break;
                case StringMatch.KindOneofCase.Regex:
                    try
                    {
                        origins.Add(StringMatcher.Regex(origin.Regex, ignoreCase: false));
                    }
                    catch (ArgumentException ex)
                    {
                        errors.Add($"{path}.allow_origins[{i}].regex", $"'{origin.Regex}' is not a valid RE2 regular expression: {ex.Message}");
                    }

                    break;
                default:
                    errors.Add($"{path}.allow_origins[{i}]", "needs exact, prefix or regex");
                    break;
            }
        }

        string? maxAge = null;
        if (cors.MaxAge is { } age)
        {
            if (age.Seconds < 0 || age.Nanos < 0)
            {
                errors.Add($"{path}.max_age", "must not be negative");
            }
            else
            {
                maxAge = age.Seconds.ToString(CultureInfo.InvariantCulture);
            }
        }

        var unmatched = cors.UnmatchedPreflights.ToUpperInvariant();
        if (unmatched is not ("" or "FORWARD" or "IGNORE" or "UNSPECIFIED"))
        {
            errors.Add($"{path}.unmatched_preflights", $"'{cors.UnmatchedPreflights}' is not FORWARD or IGNORE");
        }

        return errors.Count != before ? null : new CorsPolicyModel([.. origins])
        {
            AllowMethods = Join(cors.AllowMethods),
            AllowHeaders = Join(cors.AllowHeaders),
            ExposeHeaders = Join(cors.ExposeHeaders),
            MaxAge = maxAge,
            AllowCredentials = cors.HasAllowCredentials && cors.AllowCredentials,
            ForwardUnmatchedPreflights = unmatched != "IGNORE",
        };
    }

    private static string? Join(IReadOnlyCollection<string> values) => values.Count == 0 ? null : string.Join(',', values);
}
