namespace Mesh.Proxy.Security.Authorization;

/// <summary>The outcome of authorization: allowed or not, the policy that decided (for logs and explanations) and the index of its rule that matched (-1: none).</summary>
internal readonly record struct AuthorizationDecision(bool Allowed, string? Policy, int Rule = -1)
{
    public static AuthorizationDecision AllowedByDefault => new(true, null);
}
