namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// The AuthorizationPolicies that apply to this workload, evaluated as Istio does: any matching
/// DENY policy denies; otherwise, when ALLOW policies exist, a request is allowed only if one of
/// them matches (an ALLOW policy without rules therefore allows nothing); with neither, everything
/// is allowed. AUDIT policies decide nothing; matching requests are reported.
/// </summary>
internal sealed class AuthorizationPolicySet
{
    public static readonly AuthorizationPolicySet Empty = new([], [], []);

    public AuthorizationPolicySet(AuthorizationPolicyModel[] deny, AuthorizationPolicyModel[] allow, AuthorizationPolicyModel[] audit)
    {
        Deny = deny;
        Allow = allow;
        Audit = audit;
    }

    public AuthorizationPolicyModel[] Deny { get; }

    public AuthorizationPolicyModel[] Allow { get; }

    public AuthorizationPolicyModel[] Audit { get; }

    public bool IsEmpty => Deny.Length == 0 && Allow.Length == 0 && Audit.Length == 0;

    public AuthorizationDecision Evaluate(in AuthorizationInput input)
    {
        foreach (var policy in Deny)
        {
            if (policy.Matches(input))
            {
                return new AuthorizationDecision(false, policy.Name);
            }
        }

        if (Allow.Length == 0)
        {
            return AuthorizationDecision.AllowedByDefault;
        }

        foreach (var policy in Allow)
        {
            if (policy.Matches(input))
            {
                return new AuthorizationDecision(true, policy.Name);
            }
        }

        return new AuthorizationDecision(false, null);
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
