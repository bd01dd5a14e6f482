using System.Text.RegularExpressions;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The GRPCRoute CRD's rules.</summary>
internal static partial class GrpcRouteValidator
{
    private static readonly RouteFilterType[] AllowedFilters =
    [
        RouteFilterType.RequestHeaderModifier, RouteFilterType.ResponseHeaderModifier, RouteFilterType.RequestMirror, RouteFilterType.ExtensionRef,
    ];

    public static void Validate(GrpcRouteConfig spec, ValidationContext context)
    {
        GatewayApiRules.ParentRefs(spec.ParentRefs, "spec.parentRefs", context);
        GatewayApiRules.Hostnames(spec.Hostnames, "spec.hostnames", context);
        GatewayApiRules.MaxItems(spec.Rules, 16, "spec.rules", context);
        HttpRouteValidator.RouteRuleNames(spec.Rules.Select(r => r.Name).ToList(), "spec.rules", context);
        for (var i = 0; i < spec.Rules.Count; i++)
        {
            var rule = spec.Rules[i];
            var path = $"spec.rules[{i}]";
            GatewayApiRules.MaxItems(rule.Matches, 64, $"{path}.matches", context);
            for (var m = 0; m < rule.Matches.Count; m++)
            {
                Match(rule.Matches[m], $"{path}.matches[{m}]", context);
            }

            Filters(rule.Filters, $"{path}.filters", context);
            GatewayApiRules.MaxItems(rule.BackendRefs, 16, $"{path}.backendRefs", context);
            for (var b = 0; b < rule.BackendRefs.Count; b++)
            {
                HttpRouteValidator.BackendRef(rule.BackendRefs[b], $"{path}.backendRefs[{b}]", context);
                Filters(rule.BackendRefs[b].Filters, $"{path}.backendRefs[{b}].filters", context);
            }
        }
    }

    private static void Filters(IReadOnlyList<HttpRouteFilter> filters, string path, ValidationContext context)
    {
        RouteFilterRules.Filters(filters, path, context);
        for (var i = 0; i < filters.Count; i++)
        {
            if (filters[i].Type is { } type && !AllowedFilters.Contains(type))
            {
                context.Error($"{path}[{i}].type", $"Unsupported value: \"{Loading.IstioEnum.Name(type)}\": supported values: {string.Join(", ", AllowedFilters.Select(t => $"\"{Loading.IstioEnum.Name(t)}\""))}");
            }
        }
    }

    private static void Match(GrpcRouteMatch match, string path, ValidationContext context)
    {
        HttpRouteValidator.HeaderMatches(match.Headers, $"{path}.headers", 4096, context);
        if (match.Method is not { } method)
        {
            return;
        }

        if (method.Service is null && method.Method is null)
        {
            context.Error($"{path}.method", "One or both of 'service' or 'method' must be specified");
        }

        if ((method.Type ?? ValueMatchType.Exact) == ValueMatchType.Exact)
        {
            if (method.Service is { } service && !ServicePattern().IsMatch(service))
            {
                context.Error($"{path}.method.service", "service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)");
            }

            if (method.Method is { } name && !MethodPattern().IsMatch(name))
            {
                context.Error($"{path}.method.method", "method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)");
            }
        }
    }

    [GeneratedRegex(@"^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$")]
    private static partial Regex ServicePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z_0-9]*$")]
    private static partial Regex MethodPattern();
}
