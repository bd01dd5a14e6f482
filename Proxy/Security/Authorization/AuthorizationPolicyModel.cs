namespace Mesh.Proxy.Security.Authorization;

/// <summary>One AuthorizationPolicy: it matches a request when any of its rules does (none: never).</summary>
internal sealed class AuthorizationPolicyModel(string name, AuthorizationRuleModel[] rules)
{
    /// <summary><c>&lt;name&gt;.&lt;namespace&gt;</c>.</summary>
    public string Name { get; } = name;

    public bool Matches(in AuthorizationInput input)
    {
        foreach (var rule in rules)
        {
            if (rule.Matches(input))
            {
                return true;
            }
        }

        return false;
    }
}
