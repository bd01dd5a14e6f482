namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// The AuthorizationPolicies that apply to this workload, evaluated as Istio does: any matching
/// DENY policy denies; otherwise, when ALLOW policies exist, a request is allowed only if one of
/// them matches (an ALLOW policy without rules therefore allows nothing); with neither, everything
/// is allowed. AUDIT policies decide nothing; matching requests are reported. CUSTOM policies are
/// Envoy's ext_authz, which runs before: they only say which requests an external authorizer checks.
/// </summary>
internal sealed class AuthorizationPolicySet
{
    public static readonly AuthorizationPolicySet Empty = new([], [], [], []);

    public AuthorizationPolicySet(AuthorizationPolicyModel[] deny, AuthorizationPolicyModel[] allow, AuthorizationPolicyModel[] audit, CustomPolicyModel[] custom)
    {
        Deny = deny;
        Allow = allow;
        Audit = audit;
        Custom = custom;
    }

    /// <summary>CUSTOM policies: their rules select the requests their external authorizer checks, before DENY and ALLOW.</summary>
    public CustomPolicyModel[] Custom { get; }

    public AuthorizationPolicyModel[] Deny { get; }

    public AuthorizationPolicyModel[] Allow { get; }

    public AuthorizationPolicyModel[] Audit { get; }

    public bool IsEmpty => Deny.Length == 0 && Allow.Length == 0 && Audit.Length == 0 && Custom.Length == 0;

    public AuthorizationDecision Evaluate(in AuthorizationInput input)
    {
        foreach (var policy in Deny)
        {
            if (policy.MatchingRule(input) is var rule and >= 0)
            {
                return new AuthorizationDecision(false, policy.Name, rule);
            }
        }

        if (Allow.Length == 0)
        {
            return AuthorizationDecision.AllowedByDefault;
        }

        foreach (var policy in Allow)
        {
            if (policy.MatchingRule(input) is var rule and >= 0)
            {
                return new AuthorizationDecision(true, policy.Name, rule);
            }
        }

        return new AuthorizationDecision(false, null);
    }

    /// <summary>The providers of the CUSTOM policies the request matches, each once, in policy order.</summary>
    public List<string>? CustomProviders(in AuthorizationInput input)
    {
        List<string>? providers = null;
        foreach (var custom in Custom)
        {
            if (custom.Policy.Matches(input) && providers?.Contains(custom.Provider) != true)
            {
                (providers ??= []).Add(custom.Provider);
            }
        }

        return providers;
    }

    /// <summary>The first AUDIT policy the request matches, or null.</summary>
    public string? AuditMatch(in AuthorizationInput input)
    {
        foreach (var policy in Audit)
        {
            if (policy.Matches(input))
            {
                return policy.Name;
            }
        }

        return null;
    }
}

/// <summary>A CUSTOM policy: when it matches, <see cref="Provider"/> (an ext_authz provider of the snapshot) checks the request.</summary>
internal sealed record CustomPolicyModel(AuthorizationPolicyModel Policy, string Provider);
