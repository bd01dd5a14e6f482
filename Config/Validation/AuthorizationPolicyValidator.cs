using Mesh.Config.Model.Common;
using Mesh.Config.Model.Security;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's AuthorizationPolicy rules (the CUSTOM provider's existence is a cross-object rule: <see cref="MeshConfigValidator"/>).</summary>
internal static class AuthorizationPolicyValidator
{
    private static readonly string[] ExactKeys =
    [
        "source.ip", "remote.ip", "source.namespace", "source.principal", "source.serviceAccount", "source.trustDomain",
        "request.auth.principal", "request.auth.audiences", "request.auth.presenter", "destination.ip", "destination.port", "connection.sni",
    ];

    public static void Validate(AuthorizationPolicyConfig spec, ValidationContext context)
    {
        PolicyTargets.Validate(spec.Selector, spec.TargetRef, spec.TargetRefs, context);
        if (spec.Action == AuthorizationAction.Custom && string.IsNullOrEmpty(spec.Provider?.Name))
        {
            context.Error(spec.Provider is null ? "spec.provider" : "spec.provider.name", "a CUSTOM policy must name its provider (an extensionProviders entry of the mesh config)");
        }
        else if (spec.Action != AuthorizationAction.Custom && spec.Provider is not null)
        {
            context.Error("spec.provider", "provider is only used with action CUSTOM");
        }

        if (spec.Action == AuthorizationAction.Deny && spec.Rules.Count == 0 && !Presence.IsWrittenEmpty(spec.Rules))
        {
            context.Error("spec.rules", "DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request");
        }

        for (var i = 0; i < spec.Rules.Count; i++)
        {
            ValidateRule(spec.Rules[i], i, $"spec.rules[{i}]", context);
        }
    }

    private static void ValidateRule(AuthorizationRule rule, int index, string path, ValidationContext context)
    {
        if (Presence.IsWrittenEmpty(rule.From))
        {
            context.Error($"{path}.from", $"`from` must not be empty, found at rule {index}");
        }

        if (Presence.IsWrittenEmpty(rule.To))
        {
            context.Error($"{path}.to", $"`to` must not be empty, found at rule {index}");
        }

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
            ("trustDomains", source.TrustDomains), ("notTrustDomains", source.NotTrustDomains),
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

        if (source.TrustDomains.Count > 0 && source.Principals.FirstOrDefault(p => p.Length > 1 && p.StartsWith('*') && !p.EndsWith('*')) is { } suffix)
        {
            context.Error($"{path}.trustDomains", $"trustDomains with the principal suffix match \"{suffix}\" is not supported: the proxy cannot match both on one principal (list the principals in full, or drop trustDomains)");
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
                else if (name.EndsWith("erviceAccounts", StringComparison.Ordinal) && ServiceAccountError(value) is { } accountError)
                {
                    context.Error(itemPath, accountError);
                }
                else if (name.EndsWith("rustDomains", StringComparison.Ordinal) && TrustDomainError(value) is { } domainError)
                {
                    context.Error(itemPath, domainError);
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
                else if (name.EndsWith("aths", StringComparison.Ordinal) && (value.Contains('{') || value.Contains('}')))
                {
                    context.Error(itemPath, PathTemplateError(value, name));
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

        if (KeyError(key) is { } keyError)
        {
            context.Error($"{path}.key", keyError);
            return;
        }

        foreach (var (field, values) in new[] { ("values", condition.Values), ("notValues", condition.NotValues) })
        {
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                string? error = key switch
                {
                    _ when value.Length == 0 => $"empty value not allowed, found in {key}",
                    "source.ip" or "remote.ip" or "destination.ip" => IstioRules.IpOrCidr(value),
                    "destination.port" => int.TryParse(value, out var port) && port is >= 0 and <= 65535 ? null : $"invalid port {value}",
                    "source.serviceAccount" => ServiceAccountError(value),
                    "source.trustDomain" => TrustDomainError(value),
                    _ => null,
                };
                if (error is not null)
                {
                    context.Error($"{path}.{field}[{i}]", error);
                }
            }
        }
    }

    // Istio's attribute keys (security.ValidateAttribute); map keys as a[b].
    private static string? KeyError(string key) => key switch
    {
        _ when ExactKeys.Contains(key) => null,
        _ when key.StartsWith("request.headers", StringComparison.Ordinal) || key.StartsWith("request.auth.claims", StringComparison.Ordinal) =>
            key.IndexOf('[') is var open and > 0 && key.EndsWith(']') && open < key.Length - 2 ? null : $"bad key ({key}): should have format a[b]",
        _ when key.StartsWith("experimental.envoy.filters.", StringComparison.Ordinal) =>
            $"{key} is not supported: the proxy has no Envoy filter metadata",
        "destination.namespace" => $"attribute {key} is replaced by the metadata.namespace",
        _ when key.StartsWith("destination.labels", StringComparison.Ordinal) => $"attribute {key} is replaced by the workload selector",
        "destination.name" or "destination.user" => $"deprecated attribute {key}: only supported in v1alpha1",
        _ => $"unknown attribute: {key}",
    };

    // Istio's CheckServiceAccount: "name" (the policy's namespace) or "namespace/name", no wildcard.
    private static string? ServiceAccountError(string value)
    {
        var slash = value.IndexOf('/');
        return value.Contains('*') ? $"wildcard not allowed in service account \"{value}\""
            : value.Length > 320 ? $"value cannot exceed 320 characters, found \"{value}\""
            : value.Count(c => c == '/') > 1 || slash == 0 || slash == value.Length - 1
                ? $"expected format 'serviceAccount' or 'namespace/serviceAccount', found \"{value}\""
            : null;
    }

    // Istio's CheckTrustDomainValues: no '/', at most one wildcard, at the start or the end. The
    // proxy matches trust domains as principal prefixes, so a suffix wildcard is refused.
    private static string? TrustDomainError(string value) =>
        value.Contains('/') ? $"trust domain must not contain '/', found \"{value}\""
        : value.Count(c => c == '*') > 1 ? $"at most one wildcard is allowed, found \"{value}\""
        : value.Contains('*') && value != "*" && !value.StartsWith('*') && !value.EndsWith('*') ? $"wildcard is only allowed at the start or end, found \"{value}\""
        : TrustDomains.AsPrincipalPattern(value) is null
            ? $"trust domain suffix match \"{value}\" is not supported: the proxy matches a peer's trust domain as the start of its principal (use an exact or a prefix match)"
            : null;

    // Istio's path templates ({*} one segment, {**} the rest) are valid there but the proxy
    // matches exact, prefix and suffix paths only; a malformed template gets Istio's error.
    private static string PathTemplateError(string path, string field)
    {
        var template = path.Contains("{*}", StringComparison.Ordinal) || path.Contains("{**}", StringComparison.Ordinal);
        var anySeen = false;
        foreach (var segment in path.Trim('/').Split('/'))
        {
            if ((segment == "{*}" || segment == "{**}") && anySeen)
            {
                return $"invalid or unsupported path {path}, found in {field}. {{**}} is not the last operator";
            }

            anySeen |= segment == "{**}";
            if (segment is not ("{*}" or "{**}") && (segment.Contains('{') || segment.Contains('}')))
            {
                return $"invalid or unsupported path {path}, found in {field}. Contains '{{' or '}}' beyond a supported path template";
            }
        }

        return template
            ? $"path templates ({{*}}, {{**}}) are not supported: the proxy matches exact, prefix (abc*) and suffix (*abc) paths"
            : $"invalid or unsupported path {path}, found in {field}. Contains '{{' or '}}' beyond a supported path template";
    }

    // Istio reads "abc*" as a prefix, "*abc" as a suffix, "*" as presence and anything else
    // exactly (a '*' inside is literal). The proxy agrees except for a value that both starts
    // and ends with '*', which Istio reads as a suffix ending in '*'.
    private static string? WildcardError(string value) =>
        value.Length > 1 && value.StartsWith('*') && value.EndsWith('*')
            ? $"invalid value \"{value}\": a value starting and ending with '*' is not supported (the proxy would match it differently from Istio)"
            : null;
}
