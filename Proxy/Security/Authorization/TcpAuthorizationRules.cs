using Mesh.Proxy.Core.Translation;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// Istio's authorization for TCP connections, which have no HTTP attributes: a rule naming an
/// HTTP-only field (requestPrincipals, hosts, methods, paths, request.* conditions) is skipped in an
/// ALLOW policy — so an ALLOW policy left without rules allows nothing — while in DENY and AUDIT
/// policies those fields are ignored and the rest of the rule still applies (a DENY rule on
/// <c>methods: ["GET"]</c> alone denies every connection), to stay restrictive.
/// </summary>
internal static class TcpAuthorizationRules
{
    public static AuthorizationPolicySet Translate(IReadOnlyList<Wire.AuthorizationPolicy> policies)
    {
        if (policies.Count == 0)
        {
            return AuthorizationPolicySet.Empty;
        }

        // The HTTP translation already reported every malformed value; this one only reshapes rules.
        return AuthorizationTranslator.Translate([.. policies.Select(ForTcp)], "inbound.authorization", new TranslationErrors());
    }

    private static Wire.AuthorizationPolicy ForTcp(Wire.AuthorizationPolicy policy)
    {
        var result = policy.Clone();
        result.Rules.Clear();
        foreach (var rule in policy.Rules)
        {
            if (!HasHttpOnlyField(rule))
            {
                result.Rules.Add(rule);
            }
            else if (policy.Action != Wire.AuthorizationPolicy.Types.Action.Allow)
            {
                result.Rules.Add(WithoutHttpOnlyFields(rule));
            }
        }

        return result;
    }

    private static bool HasHttpOnlyField(Wire.AuthorizationRule rule) =>
        rule.From.Any(f => f.RequestPrincipals.Count > 0 || f.NotRequestPrincipals.Count > 0)
        || rule.To.Any(t => t.Hosts.Count > 0 || t.NotHosts.Count > 0 || t.Methods.Count > 0 || t.NotMethods.Count > 0 || t.Paths.Count > 0 || t.NotPaths.Count > 0)
        || rule.When.Any(w => IsHttpOnly(w.Key));

    private static Wire.AuthorizationRule WithoutHttpOnlyFields(Wire.AuthorizationRule rule)
    {
        var result = rule.Clone();
        foreach (var from in result.From)
        {
            from.RequestPrincipals.Clear();
            from.NotRequestPrincipals.Clear();
        }

        foreach (var to in result.To)
        {
            to.Hosts.Clear();
            to.NotHosts.Clear();
            to.Methods.Clear();
            to.NotMethods.Clear();
            to.Paths.Clear();
            to.NotPaths.Clear();
        }

        var conditions = result.When.Where(w => !IsHttpOnly(w.Key)).ToList();
        result.When.Clear();
        result.When.AddRange(conditions);
        return result;
    }

    private static bool IsHttpOnly(string key) => key.StartsWith("request.", StringComparison.Ordinal);
}
