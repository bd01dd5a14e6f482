using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>
/// The TCPRoute and TLSRoute CRDs' rules. Their v1 versions allow one rule and (TLSRoute) require
/// hostnames; the experimental v1alpha2 allowed up to 16 rules and no hostnames, so those limits
/// apply to v1 objects only.
/// </summary>
internal static class L4RouteValidator
{
    public static void Validate(TcpRouteConfig spec, ValidationContext context)
    {
        GatewayApiRules.ParentRefs(spec.ParentRefs, "spec.parentRefs", context);
        DefaultScope(spec.UseDefaultGateways, context);
        Rules(spec.Rules, context);
    }

    public static void Validate(TlsRouteConfig spec, ValidationContext context)
    {
        GatewayApiRules.ParentRefs(spec.ParentRefs, "spec.parentRefs", context);
        DefaultScope(spec.UseDefaultGateways, context);
        if (IsV1(context) && spec.Hostnames.Count == 0)
        {
            context.Error("spec.hostnames", "Required value: a v1 TLSRoute needs at least one hostname");
        }

        GatewayApiRules.MaxItems(spec.Hostnames, 1024, "spec.hostnames", context);
        for (var i = 0; i < spec.Hostnames.Count; i++)
        {
            if (System.Net.IPAddress.TryParse(spec.Hostnames[i], out _))
            {
                context.Error($"spec.hostnames[{i}]", "Hostnames cannot contain an IP");
            }
            else
            {
                GatewayApiRules.Hostname(spec.Hostnames[i], $"spec.hostnames[{i}]", context);
            }
        }

        Rules(spec.Rules, context);
    }

    private static void Rules(IReadOnlyList<L4RouteRule> rules, ValidationContext context)
    {
        if (rules.Count == 0)
        {
            context.Error("spec.rules", "Required value: at least one rule");
        }

        GatewayApiRules.MaxItems(rules, IsV1(context) ? 1 : 16, "spec.rules", context);
        HttpRouteValidator.RouteRuleNames(rules.Select(r => r.Name).ToList(), "spec.rules", context);
        for (var i = 0; i < rules.Count; i++)
        {
            var path = $"spec.rules[{i}].backendRefs";
            if (rules[i].BackendRefs.Count == 0)
            {
                context.Error(path, "Required value: at least one backendRef");
            }

            GatewayApiRules.MaxItems(rules[i].BackendRefs, 16, path, context);
            for (var b = 0; b < rules[i].BackendRefs.Count; b++)
            {
                var backend = rules[i].BackendRefs[b];
                GatewayApiRules.BackendObject(backend.Group, backend.Kind, backend.Name, backend.Namespace, backend.Port, $"{path}[{b}]", context);
                GatewayApiRules.Range(backend.Weight, 0, 1_000_000, $"{path}[{b}].weight", context);
            }
        }
    }

    private static void DefaultScope(string? scope, ValidationContext context)
    {
        if (scope is not null and not ("All" or "None"))
        {
            context.Error("spec.useDefaultGateways", $"Unsupported value: \"{scope}\": supported values: \"All\", \"None\"");
        }
    }

    private static bool IsV1(ValidationContext context) => context.Object.ApiVersion.EndsWith("/v1", StringComparison.Ordinal);
}
