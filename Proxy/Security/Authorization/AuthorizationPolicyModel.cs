namespace Mesh.Proxy.Security.Authorization;

/// <summary>One AuthorizationPolicy: it matches a request when any of its rules does (none: never).</summary>
internal sealed class AuthorizationPolicyModel(string name, AuthorizationRuleModel[] rules)
{
    /// <summary><c>&lt;name&gt;.&lt;namespace&gt;</c>.</summary>
    public string Name { get; } = name;

    public int RuleCount => rules.Length;

    public bool Matches(in AuthorizationInput input) => MatchingRule(input) >= 0;

    /// <summary>The index of the first rule the request matches, or -1: the policy's decision and, for explanations, the rule that made it.</summary>
    public int MatchingRule(in AuthorizationInput input)
    {
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Matches(input))
            {
                return i;
            }
        }

        return -1;
    }
}
