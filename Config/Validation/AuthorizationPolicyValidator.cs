using Mesh.Config.Model.Common;
using Mesh.Config.Model.Security;

namespace Mesh.Config.Validation;

/// <summary>Istio's AuthorizationPolicy rules; CUSTOM (external authorization) is not supported.</summary>
internal static class AuthorizationPolicyValidator
{
    private static readonly string[] ExactKeys =
    [
        "source.ip", "remote.ip", "source.namespace", "source.principal", "request.auth.principal",
        "request.auth.audiences", "request.auth.presenter", "destination.ip", "destination.port", "connection.sni",
    ];

    public static void Validate(AuthorizationPolicyConfig spec, ValidationContext context)
    {
        PolicyTargets.Validate(spec.Selector, spec.TargetRef, spec.TargetRefs, context);
        if (spec.Action == AuthorizationAction.Custom)
        {
            context.Error("spec.action", "CUSTOM action is not supported");
        }

        if (spec.Provider is not null)
        {
            context.Error("spec.provider", spec.Action == AuthorizationAction.Custom
                ? "provider is not supported (CUSTOM action is not supported)"
                : $"`provider` must not be with non CUSTOM action, found {Loading.IstioEnum.Name(spec.Action ?? AuthorizationAction.Allow)}");
        }

        for (var i = 0; i < spec.Rules.Count; i++)
        {
            ValidateRule(spec.Rules[i], i, $"spec.rules[{i}]", context);
        }
    }

    private static void ValidateRule(AuthorizationRule rule, int index, string path, ValidationContext context)
    {
        for (var i = 0; i < rule.From.Count; i++)
        {
            var fromPath = $"{path}.from[{i}].source";
            if (rule.From[i].Source is not { } source)
            {
                context.Error(fromPath, $"`from.source` must not be nil, found at rule {index}");
                continue;
            }

            ValidateSource(source, index, fromPath, context);
        }

        for (var i = 0; i < rule.To.Count; i++)
        {
            var toPath = $"{path}.to[{i}].operation";
            if (rule.To[i].Operation is not { } operation)
            {
                context.Error(toPath, $"`to.operation` must not be nil, found at rule {index}");
                continue;
            }

            ValidateOperation(operation, index, toPath, context);
        }

        for (var i = 0; i < rule.When.Count; i++)
        {
            ValidateCondition(rule.When[i], $"{path}.when[{i}]", context);
        }
    }

    private static void ValidateSource(Source source, int index, string path, ValidationContext context)
    {
        var lists = new (string Name, ValueList<string> Values)[]
        {
            ("principals", source.Principals), ("notPrincipals", source.NotPrincipals),
            ("requestPrincipals", source.RequestPrincipals), ("notRequestPrincipals", source.NotRequestPrincipals),
            ("namespaces", source.Namespaces), ("notNamespaces", source.NotNamespaces),
            ("serviceAccounts", source.ServiceAccounts), ("notServiceAccounts", source.NotServiceAccounts),
            ("ipBlocks", source.IpBlocks), ("notIpBlocks", source.NotIpBlocks),
            ("remoteIpBlocks", source.RemoteIpBlocks), ("notRemoteIpBlocks", source.NotRemoteIpBlocks),
        };
        if (lists.All(l => l.Values.Count == 0))
        {
            context.Error(path, $"`from.source` must not be empty, found at rule {index}");
        }

        if (source.Principals.Count + source.NotPrincipals.Count + source.Namespaces.Count + source.NotNamespaces.Count > 0
            && source.ServiceAccounts.Count + source.NotServiceAccounts.Count > 0)
        {
            context.Error(path, $"cannot set serviceAccounts with namespaces or principals, found at rule {index}");
        }

        foreach (var (name, values) in lists)
        {
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                var itemPath = $"{path}.{name}[{i}]";
                if (value.Length == 0)
                {
                    context.Error(itemPath, $"empty value not allowed, found in {char.ToUpperInvariant(name[0])}{name[1..]}");
                }
                else if (name.EndsWith("pBlocks", StringComparison.Ordinal) && IstioRules.IpOrCidr(value) is { } ipError)
                {
                    context.Error(itemPath, ipError);
                }
                else if (name.EndsWith("erviceAccounts", StringComparison.Ordinal) && !IsServiceAccount(value))
                {
                    context.Error(itemPath, $"service account must be in the form of <namespace>/<name>, found \"{value}\"");
                }
                else if (!name.EndsWith("pBlocks", StringComparison.Ordinal) && !name.EndsWith("erviceAccounts", StringComparison.Ordinal) && WildcardError(value) is { } wildcard)
                {
                    context.Error(itemPath, wildcard);
                }
            }
        }
    }

    private static void ValidateOperation(Operation operation, int index, string path, ValidationContext context)
    {
        var lists = new (string Name, ValueList<string> Values)[]
        {
            ("hosts", operation.Hosts), ("notHosts", operation.NotHosts), ("ports", operation.Ports), ("notPorts", operation.NotPorts),
            ("methods", operation.Methods), ("notMethods", operation.NotMethods), ("paths", operation.Paths), ("notPaths", operation.NotPaths),
        };
        if (lists.All(l => l.Values.Count == 0))
        {
            context.Error(path, $"`to.operation` must not be empty, found at rule {index}");
        }

        foreach (var (name, values) in lists)
        {
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                var itemPath = $"{path}.{name}[{i}]";
                if (value.Length == 0)
                {
                    context.Error(itemPath, $"empty value not allowed, found in {char.ToUpperInvariant(name[0])}{name[1..]}");
                }
                else if (name.EndsWith("orts", StringComparison.Ordinal))
                {
                    if (!int.TryParse(value, out var port) || port is < 0 or > 65535)
                    {
                        context.Error(itemPath, $"invalid port {value}: must be a number in range 0..65535");
                    }
                }
                else if (name.EndsWith("aths", StringComparison.Ordinal) && value.Contains('{'))
                {
                    context.Error(itemPath, "path templates ({*}, {**}) are not supported");
                }
                else if (WildcardError(value) is { } wildcard)
                {
                    context.Error(itemPath, wildcard);
                }
            }
        }
    }

    private static void ValidateCondition(Condition condition, string path, ValidationContext context)
    {
        var key = condition.Key ?? "";
        if (key.Length == 0)
        {
            context.Error($"{path}.key", "`key` must not be empty");
            return;
        }

        if (condition.Values.Count == 0 && condition.NotValues.Count == 0)
        {
            context.Error(path, $"at least one of `values` or `notValues` must be set for key {key}");
        }

        var known = ExactKeys.Contains(key)
            || (key.StartsWith("request.headers[", StringComparison.Ordinal) && key.EndsWith(']') && key.Length > "request.headers[]".Length)
            || (key.StartsWith("request.auth.claims[", StringComparison.Ordinal) && key.EndsWith(']') && key.Length > "request.auth.claims[]".Length);
        if (!known)
        {
            context.Error($"{path}.key", key.StartsWith("experimental.envoy.filters.", StringComparison.Ordinal)
                ? $"{key} is not supported (Envoy filter metadata)"
                : $"unknown attribute: {key}");
            return;
        }

        foreach (var (field, values) in new[] { ("values", condition.Values), ("notValues", condition.NotValues) })
        {
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                string? error = key switch
                {
                    "source.ip" or "remote.ip" or "destination.ip" => IstioRules.IpOrCidr(value),
                    "destination.port" => int.TryParse(value, out var port) && port is >= 0 and <= 65535 ? null : $"invalid port {value}",
                    _ => null,
                };
                if (error is not null)
                {
                    context.Error($"{path}.{field}[{i}]", error);
                }
            }
        }
    }

    private static bool IsServiceAccount(string value)
    {
        var parts = value.Split('/');
        return parts.Length == 2 && IstioRules.IsDns1123Label(parts[0]) && parts[1].Length > 0;
    }

    // Istio matches these fields with exact, prefix ("abc*"), suffix ("*abc") or presence ("*").
    private static string? WildcardError(string value)
    {
        var stars = value.Count(c => c == '*');
        return stars == 0 || value == "*" || (stars == 1 && (value.StartsWith('*') || value.EndsWith('*')))
            ? null
            : $"invalid value \"{value}\": only prefix (abc*), suffix (*abc) and presence (*) wildcards are supported";
    }
}
