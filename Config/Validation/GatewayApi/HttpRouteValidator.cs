using System.Text.RegularExpressions;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The HTTPRoute CRD's rules (schema and CEL), with its messages.</summary>
internal static partial class HttpRouteValidator
{
    public static void Validate(HttpRouteConfig spec, ValidationContext context)
    {
        GatewayApiRules.ParentRefs(spec.ParentRefs, "spec.parentRefs", context);
        GatewayApiRules.Hostnames(spec.Hostnames, "spec.hostnames", context);
        GatewayApiRules.MaxItems(spec.Rules, 16, "spec.rules", context);
        RouteRuleNames(spec.Rules.Select(r => r.Name).ToList(), "spec.rules", context);
        if (spec.Rules.Sum(r => Math.Max(1, r.Matches.Count)) > 128)
        {
            context.Error("spec.rules", "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128");
        }

        for (var i = 0; i < spec.Rules.Count; i++)
        {
            Rule(spec.Rules[i], $"spec.rules[{i}]", context);
        }
    }

    /// <summary>Rule names are section names, unique within the route.</summary>
    internal static void RouteRuleNames(IReadOnlyList<string?> names, string path, ValidationContext context)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            GatewayApiRules.SectionName(names[i], $"{path}[{i}].name", context);
            if (names[i] is { } name && !seen.Add(name))
            {
                context.Error($"{path}[{i}].name", "Rule name must be unique within the route");
            }
        }
    }

    private static void Rule(HttpRouteRule rule, string path, ValidationContext context)
    {
        GatewayApiRules.MaxItems(rule.Matches, 64, $"{path}.matches", context);
        for (var i = 0; i < rule.Matches.Count; i++)
        {
            Match(rule.Matches[i], $"{path}.matches[{i}]", context);
        }

        RouteFilterRules.Filters(rule.Filters, $"{path}.filters", context);
        GatewayApiRules.MaxItems(rule.BackendRefs, 16, $"{path}.backendRefs", context);
        for (var i = 0; i < rule.BackendRefs.Count; i++)
        {
            BackendRef(rule.BackendRefs[i], $"{path}.backendRefs[{i}]", context);
        }

        if (rule.BackendRefs.Count > 0 && rule.Filters.Any(f => f.RequestRedirect is not null))
        {
            context.Error(path, "RequestRedirect filter must not be used together with backendRefs");
        }

        // A ReplacePrefixMatch needs exactly one match, and that one a PathPrefix, to know what it replaces.
        foreach (var (uses, what) in new[]
        {
            (rule.Filters.Any(f => f.RequestRedirect?.Path?.Type == PathModifierType.ReplacePrefixMatch), "RequestRedirect"),
            (rule.Filters.Any(f => f.UrlRewrite?.Path?.Type == PathModifierType.ReplacePrefixMatch), "URLRewrite"),
        })
        {
            if (uses && !(rule.Matches.Count == 1 && (rule.Matches[0].Path?.Type ?? PathMatchType.PathPrefix) == PathMatchType.PathPrefix))
            {
                context.Error(path, $"When using {what} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified");
            }
        }

        if (rule.Timeouts is { } timeouts)
        {
            var request = GatewayApiRules.Duration(timeouts.Request, $"{path}.timeouts.request", context);
            var backend = GatewayApiRules.Duration(timeouts.BackendRequest, $"{path}.timeouts.backendRequest", context);
            if (request is { } r && backend is { } b && r != TimeSpan.Zero && b > r)
            {
                context.Error($"{path}.timeouts", "backendRequest timeout cannot be longer than request timeout");
            }
        }

        if (rule.Retry is { } retry)
        {
            GatewayApiRules.Range(retry.Attempts, 0, int.MaxValue, $"{path}.retry.attempts", context);
            for (var i = 0; i < retry.Codes.Count; i++)
            {
                GatewayApiRules.Range(retry.Codes[i], 400, 599, $"{path}.retry.codes[{i}]", context);
            }

            GatewayApiRules.Duration(retry.Backoff, $"{path}.retry.backoff", context);
        }
    }

    internal static void BackendRef(HttpBackendRef backend, string path, ValidationContext context)
    {
        GatewayApiRules.BackendObject(backend.Group, backend.Kind, backend.Name, backend.Namespace, backend.Port, path, context);
        GatewayApiRules.Range(backend.Weight, 0, 1_000_000, $"{path}.weight", context);
        RouteFilterRules.Filters(backend.Filters, $"{path}.filters", context);
    }

    private static void Match(HttpRouteMatch match, string path, ValidationContext context)
    {
        if (match.Path is { } pathMatch)
        {
            PathValue(pathMatch.Type ?? PathMatchType.PathPrefix, pathMatch.Value ?? "/", $"{path}.path", context);
        }

        HeaderMatches(match.Headers, $"{path}.headers", 4096, context);
        HeaderMatches(match.QueryParams, $"{path}.queryParams", 1024, context);
    }

    /// <summary>Header (and query parameter) matches: named, valued, unique names.</summary>
    internal static void HeaderMatches(IReadOnlyList<HttpHeaderMatch> matches, string path, int maxValue, ValidationContext context)
    {
        GatewayApiRules.MaxItems(matches, 16, path, context);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < matches.Count; i++)
        {
            GatewayApiRules.HeaderName(matches[i].Name, $"{path}[{i}].name", context);
            if (string.IsNullOrEmpty(matches[i].Value))
            {
                context.Error($"{path}[{i}].value", "Required value");
            }
            else if (matches[i].Value!.Length > maxValue)
            {
                context.Error($"{path}[{i}].value", $"may not be longer than {maxValue} characters");
            }

            if (matches[i].Name is { } name && !seen.Add(name))
            {
                context.Error($"{path}[{i}].name", $"Duplicate value: \"{name}\"");
            }
        }
    }

    private static void PathValue(PathMatchType type, string value, string path, ValidationContext context)
    {
        if (value.Length > 1024)
        {
            context.Error($"{path}.value", "may not be longer than 1024 characters");
        }

        if (type == PathMatchType.RegularExpression)
        {
            return; // The regex itself is checked when routes are built; a bad one shows in status.
        }

        const string Types = "when type one of ['Exact', 'PathPrefix']";
        if (!value.StartsWith('/'))
        {
            context.Error(path, $"value must be an absolute path and start with '/' {Types}");
        }

        foreach (var bad in new[] { "//", "/./", "/../", "%2f", "%2F", "#" })
        {
            if (value.Contains(bad, StringComparison.Ordinal))
            {
                context.Error(path, $"must not contain '{bad}' {Types}");
            }
        }

        foreach (var bad in new[] { "/..", "/." })
        {
            if (value.EndsWith(bad, StringComparison.Ordinal))
            {
                context.Error(path, $"must not end with '{bad}' {Types}");
            }
        }

        if (!PathCharacters().IsMatch(value))
        {
            context.Error(path, "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']");
        }
    }

    [GeneratedRegex("^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$")]
    private static partial Regex PathCharacters();
}
