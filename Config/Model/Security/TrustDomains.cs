namespace Mesh.Config.Model.Security;

/// <summary>
/// Istio's trust-domain matches (<c>source.trustDomains</c>, <c>notTrustDomains</c>, the
/// <c>source.trustDomain</c> condition) written as matches on the peer principal
/// <c>&lt;trust domain&gt;/ns/&lt;namespace&gt;/sa/&lt;account&gt;</c>, the form the proxy
/// matches. A trust domain has no '/', so "cluster.local" is the principal prefix
/// "cluster.local/" and "clu*" the prefix "clu". A suffix wildcard ("*.local") has no principal
/// form: the validator refuses it, and <see cref="AsPrincipalPattern"/> returns null.
/// </summary>
public static class TrustDomains
{
    /// <summary>Matches no principal: '&lt;' appears in no SPIFFE trust domain or path.</summary>
    public const string NoPrincipal = "<none>";

    public static string? AsPrincipalPattern(string trustDomain) => trustDomain switch
    {
        "*" => "*",
        _ when trustDomain.Length > 1 && trustDomain.EndsWith('*') => trustDomain,
        _ when trustDomain.StartsWith('*') => null,
        _ => trustDomain + "/*",
    };

    /// <summary>
    /// The principal patterns that match a principal matching one of <paramref name="principals"/>
    /// (none: any) and one of <paramref name="trustDomains"/>; <see cref="NoPrincipal"/> alone when
    /// nothing can match both. Null when a principal suffix pattern meets a trust domain (no
    /// single pattern expresses both; the validator refuses that combination).
    /// </summary>
    public static IReadOnlyList<string>? Intersect(IReadOnlyList<string> principals, IReadOnlyList<string> trustDomains)
    {
        var result = new List<string>();
        foreach (var domain in trustDomains)
        {
            if (AsPrincipalPattern(domain) is not { } scope)
            {
                return null;
            }

            if (principals.Count == 0)
            {
                result.Add(scope);
                continue;
            }

            foreach (var principal in principals)
            {
                if (principal.Length > 1 && principal.StartsWith('*') && scope != "*")
                {
                    return null;
                }

                if (Intersect(principal, scope) is { } both)
                {
                    result.Add(both);
                }
            }
        }

        return result.Count == 0 ? [NoPrincipal] : [.. result.Distinct(StringComparer.Ordinal)];
    }

    // Both patterns are exact, prefix ("abc*") or presence ("*"); the scope is never a suffix.
    private static string? Intersect(string principal, string scope)
    {
        if (scope == "*")
        {
            return principal;
        }

        var prefix = scope[..^1];
        if (principal == "*")
        {
            return scope;
        }

        if (!principal.EndsWith('*'))
        {
            return principal.StartsWith(prefix, StringComparison.Ordinal) ? principal : null;
        }

        var principalPrefix = principal[..^1];
        return principalPrefix.StartsWith(prefix, StringComparison.Ordinal) ? principal
            : prefix.StartsWith(principalPrefix, StringComparison.Ordinal) ? scope
            : null;
    }
}
