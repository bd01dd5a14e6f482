using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The CRDs' rules for HTTPRoute and GRPCRoute filters (on a rule or on a backendRef).</summary>
internal static class RouteFilterRules
{
    // The filter types that may appear only once in one list (RequestMirror may repeat).
    private static readonly RouteFilterType[] NotRepeatable =
    [
        RouteFilterType.Cors, RouteFilterType.RequestHeaderModifier, RouteFilterType.ResponseHeaderModifier,
        RouteFilterType.RequestRedirect, RouteFilterType.UrlRewrite,
    ];

    public static void Filters(IReadOnlyList<HttpRouteFilter> filters, string path, ValidationContext context)
    {
        GatewayApiRules.MaxItems(filters, 16, path, context);
        for (var i = 0; i < filters.Count; i++)
        {
            Filter(filters[i], $"{path}[{i}]", context);
        }

        foreach (var type in NotRepeatable.Where(t => filters.Count(f => f.Type == t) > 1))
        {
            context.Error(path, $"{Loading.IstioEnum.Name(type)} filter cannot be repeated");
        }

        if (filters.Any(f => f.Type == RouteFilterType.RequestRedirect) && filters.Any(f => f.Type == RouteFilterType.UrlRewrite))
        {
            context.Error(path, "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
        }
    }

    private static void Filter(HttpRouteFilter filter, string path, ValidationContext context)
    {
        if (filter.Type is not { } type)
        {
            context.Error($"{path}.type", "Required value");
            return;
        }

        // Exactly the field of the filter's type is set.
        foreach (var (fieldType, field, set) in new (RouteFilterType, string, bool)[]
        {
            (RouteFilterType.RequestHeaderModifier, "requestHeaderModifier", filter.RequestHeaderModifier is not null),
            (RouteFilterType.ResponseHeaderModifier, "responseHeaderModifier", filter.ResponseHeaderModifier is not null),
            (RouteFilterType.RequestMirror, "requestMirror", filter.RequestMirror is not null),
            (RouteFilterType.RequestRedirect, "requestRedirect", filter.RequestRedirect is not null),
            (RouteFilterType.UrlRewrite, "urlRewrite", filter.UrlRewrite is not null),
            (RouteFilterType.Cors, "cors", filter.Cors is not null),
            (RouteFilterType.ExternalAuth, "externalAuth", filter.ExternalAuth is not null),
            (RouteFilterType.ExtensionRef, "extensionRef", filter.ExtensionRef is not null),
        })
        {
            var name = Loading.IstioEnum.Name(fieldType);
            if (set && type != fieldType)
            {
                context.Error($"{path}.{field}", $"filter.{field} must be nil if the filter.type is not {name}");
            }
            else if (!set && type == fieldType)
            {
                context.Error(path, $"filter.{field} must be specified for {name} filter.type");
            }
        }

        HeaderFilter(filter.RequestHeaderModifier, $"{path}.requestHeaderModifier", context);
        HeaderFilter(filter.ResponseHeaderModifier, $"{path}.responseHeaderModifier", context);
        if (filter.RequestMirror is { } mirror)
        {
            Mirror(mirror, $"{path}.requestMirror", context);
        }

        if (filter.RequestRedirect is { } redirect)
        {
            Redirect(redirect, $"{path}.requestRedirect", context);
        }

        if (filter.UrlRewrite is { } rewrite)
        {
            GatewayApiRules.PreciseHostname(rewrite.Hostname, $"{path}.urlRewrite.hostname", context);
            PathModifier(rewrite.Path, $"{path}.urlRewrite.path", context);
        }

        if (filter.Cors is { } cors)
        {
            Cors(cors, $"{path}.cors", context);
        }

        if (filter.ExtensionRef is { } extension)
        {
            GatewayApiRules.Required(extension.Kind, $"{path}.extensionRef.kind", context);
            GatewayApiRules.Kind(extension.Kind, $"{path}.extensionRef.kind", context);
            GatewayApiRules.Group(extension.Group, $"{path}.extensionRef.group", context);
            GatewayApiRules.ObjectName(extension.Name, $"{path}.extensionRef.name", context);
        }
    }

    private static void HeaderFilter(HttpHeaderFilter? filter, string path, ValidationContext context)
    {
        if (filter is null)
        {
            return;
        }

        foreach (var (list, field) in new[] { (filter.Set, "set"), (filter.Add, "add") })
        {
            GatewayApiRules.MaxItems(list, 16, $"{path}.{field}", context);
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < list.Count; i++)
            {
                GatewayApiRules.HeaderName(list[i].Name, $"{path}.{field}[{i}].name", context);
                if (list[i].Value is null)
                {
                    context.Error($"{path}.{field}[{i}].value", "Required value");
                }
                else if (list[i].Value!.Length > 4096)
                {
                    context.Error($"{path}.{field}[{i}].value", "may not be longer than 4096 characters");
                }

                if (list[i].Name is { } name && !seen.Add(name))
                {
                    context.Error($"{path}.{field}[{i}].name", $"Duplicate value: \"{name}\"");
                }
            }
        }

        GatewayApiRules.MaxItems(filter.Remove, 16, $"{path}.remove", context);
        var removed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < filter.Remove.Count; i++)
        {
            if (!removed.Add(filter.Remove[i]))
            {
                context.Error($"{path}.remove[{i}]", $"Duplicate value: \"{filter.Remove[i]}\"");
            }
        }
    }

    private static void Mirror(HttpRequestMirrorFilter mirror, string path, ValidationContext context)
    {
        if (mirror.BackendRef is not { } backend)
        {
            context.Error($"{path}.backendRef", "Required value");
        }
        else
        {
            GatewayApiRules.BackendObject(backend.Group, backend.Kind, backend.Name, backend.Namespace, backend.Port, $"{path}.backendRef", context);
        }

        GatewayApiRules.Range(mirror.Percent, 0, 100, $"{path}.percent", context);
        if (mirror.Percent is not null && mirror.Fraction is not null)
        {
            context.Error(path, "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter");
        }

        if (mirror.Fraction is { } fraction)
        {
            if (fraction.Numerator is not { } numerator)
            {
                context.Error($"{path}.fraction.numerator", "Required value");
                return;
            }

            GatewayApiRules.Range(numerator, 0, int.MaxValue, $"{path}.fraction.numerator", context);
            GatewayApiRules.Range(fraction.Denominator, 1, int.MaxValue, $"{path}.fraction.denominator", context);
            if (numerator > (fraction.Denominator ?? 100))
            {
                context.Error($"{path}.fraction", "numerator must be less than or equal to denominator");
            }
        }
    }

    private static void Redirect(HttpRequestRedirectFilter redirect, string path, ValidationContext context)
    {
        if (redirect.Scheme is { } scheme && scheme is not ("http" or "https"))
        {
            context.Error($"{path}.scheme", $"Unsupported value: \"{scheme}\": supported values: \"http\", \"https\"");
        }

        GatewayApiRules.PreciseHostname(redirect.Hostname, $"{path}.hostname", context);
        GatewayApiRules.Port(redirect.Port, $"{path}.port", context);
        if (redirect.StatusCode is { } code && code is not (301 or 302 or 303 or 307 or 308))
        {
            context.Error($"{path}.statusCode", $"Unsupported value: {code}: supported values: 301, 302, 303, 307, 308");
        }

        PathModifier(redirect.Path, $"{path}.path", context);
    }

    private static void PathModifier(HttpPathModifier? modifier, string path, ValidationContext context)
    {
        if (modifier is null)
        {
            return;
        }

        switch (modifier.Type)
        {
            case null:
                context.Error($"{path}.type", "Required value");
                break;
            case PathModifierType.ReplaceFullPath when modifier.ReplaceFullPath is null:
                context.Error(path, "replaceFullPath must be specified when type is set to 'ReplaceFullPath'");
                break;
            case PathModifierType.ReplacePrefixMatch when modifier.ReplacePrefixMatch is null:
                context.Error(path, "replacePrefixMatch must be specified when type is set to 'ReplacePrefixMatch'");
                break;
        }

        if (modifier.ReplaceFullPath is not null && modifier.Type != PathModifierType.ReplaceFullPath)
        {
            context.Error(path, "type must be 'ReplaceFullPath' when replaceFullPath is set");
        }

        if (modifier.ReplacePrefixMatch is not null && modifier.Type != PathModifierType.ReplacePrefixMatch)
        {
            context.Error(path, "type must be 'ReplacePrefixMatch' when replacePrefixMatch is set");
        }

        foreach (var (value, field) in new[] { (modifier.ReplaceFullPath, "replaceFullPath"), (modifier.ReplacePrefixMatch, "replacePrefixMatch") })
        {
            if (value is { Length: > 1024 })
            {
                context.Error($"{path}.{field}", "may not be longer than 1024 characters");
            }
        }
    }

    private static readonly HashSet<string> CorsMethods = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "*"];

    private static void Cors(HttpCorsFilter cors, string path, ValidationContext context)
    {
        foreach (var (list, field, what) in new[] { (cors.AllowOrigins, "allowOrigins", "origins"), (cors.AllowMethods, "allowMethods", "methods"), (cors.AllowHeaders, "allowHeaders", "methods") })
        {
            if (list.Contains("*") && list.Count > 1)
            {
                context.Error($"{path}.{field}", $"{char.ToUpperInvariant(field[0])}{field[1..]} cannot contain '*' alongside other {what}");
            }
        }

        for (var i = 0; i < cors.AllowOrigins.Count; i++)
        {
            if (!CorsOriginRule.IsValid(cors.AllowOrigins[i]))
            {
                context.Error($"{path}.allowOrigins[{i}]", $"Invalid value: \"{cors.AllowOrigins[i]}\": must be '*' or scheme://host[:port] (the host may start with '*.')");
            }
        }

        for (var i = 0; i < cors.AllowMethods.Count; i++)
        {
            if (!CorsMethods.Contains(cors.AllowMethods[i]))
            {
                context.Error($"{path}.allowMethods[{i}]", $"Unsupported value: \"{cors.AllowMethods[i]}\": supported values: {string.Join(", ", CorsMethods.Select(m => $"\"{m}\""))}");
            }
        }

        for (var i = 0; i < cors.AllowHeaders.Count; i++)
        {
            GatewayApiRules.HeaderName(cors.AllowHeaders[i] == "*" ? "x" : cors.AllowHeaders[i], $"{path}.allowHeaders[{i}]", context);
        }

        for (var i = 0; i < cors.ExposeHeaders.Count; i++)
        {
            GatewayApiRules.HeaderName(cors.ExposeHeaders[i], $"{path}.exposeHeaders[{i}]", context);
        }

        GatewayApiRules.Range(cors.MaxAge, 1, int.MaxValue, $"{path}.maxAge", context);
    }
}
