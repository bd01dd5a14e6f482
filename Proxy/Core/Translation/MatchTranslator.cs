using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>Compiles snapshot route matches; every regex is compiled here, once per snapshot.</summary>
internal static class MatchTranslator
{
    public static RouteMatchModel? Translate(RouteMatch match, string path, TranslationErrors errors)
    {
        var before = errors.Count;
        var headers = new List<HeaderMatcher>();
        foreach (var (name, value) in match.Headers)
        {
            if (Value(value, ignoreCase: false, $"{path}.headers[{name}]", errors) is { } matcher)
            {
                headers.Add(new HeaderMatcher(name.ToLowerInvariant(), matcher, invert: false));
            }
        }

        foreach (var name in match.WithoutHeaders)
        {
            headers.Add(new HeaderMatcher(name.ToLowerInvariant(), StringMatcher.Any, invert: true));
        }

        foreach (var (name, value) in match.WithoutHeaderMatches)
        {
            if (Value(value, ignoreCase: false, $"{path}.without_header_matches[{name}]", errors) is { } matcher)
            {
                headers.Add(new HeaderMatcher(name.ToLowerInvariant(), matcher, invert: true));
            }
        }

        var queryParams = new List<QueryParamMatcher>();
        foreach (var (name, value) in match.QueryParams)
        {
            if (Value(value, ignoreCase: false, $"{path}.query_params[{name}]", errors) is { } matcher)
            {
                queryParams.Add(new QueryParamMatcher(name, matcher));
            }
        }

        if (match.Port > 65535)
        {
            errors.Add($"{path}.port", $"must be 0-65535 (got {match.Port})");
        }

        var model = new RouteMatchModel
        {
            Name = string.IsNullOrEmpty(match.Name) ? null : match.Name,
            Uri = Attribute(match.Uri, match.IgnoreUriCase, $"{path}.uri", errors),
            Scheme = Attribute(match.Scheme, ignoreCase: false, $"{path}.scheme", errors),
            Method = Attribute(match.Method, ignoreCase: false, $"{path}.method", errors),
            Authority = Attribute(match.Authority, ignoreCase: false, $"{path}.authority", errors),
            Headers = [.. headers],
            QueryParams = [.. queryParams],
            Port = (int)match.Port,
        };
        return errors.Count == before ? model : null;
    }

    /// <summary>A request attribute (uri, scheme, method, authority): an absent or empty match is no condition.</summary>
    private static StringMatcher? Attribute(StringMatch? match, bool ignoreCase, string path, TranslationErrors errors)
    {
        if (match is null || (match.KindCase == StringMatch.KindOneofCase.None && !match.Present))
        {
            return null;
        }

        return Value(match, ignoreCase, path, errors);
    }

    /// <summary>A header or query value: without exact/prefix/regex it only requires presence (Istio's <c>{}</c>).</summary>
    private static StringMatcher? Value(StringMatch match, bool ignoreCase, string path, TranslationErrors errors)
    {
        switch (match.KindCase)
        {
            case StringMatch.KindOneofCase.Exact:
                return StringMatcher.Exact(match.Exact, ignoreCase);
            case StringMatch.KindOneofCase.Prefix:
                return StringMatcher.Prefix(match.Prefix, ignoreCase);
            case StringMatch.KindOneofCase.Regex:
                try
                {
                    return StringMatcher.Regex(match.Regex, ignoreCase);
                }
                catch (ArgumentException ex)
                {
                    errors.Add($"{path}.regex", $"'{match.Regex}' is not a valid RE2 regular expression: {ex.Message}");
                    return null;
                }

            default:
                return StringMatcher.Any;
        }
    }
}
