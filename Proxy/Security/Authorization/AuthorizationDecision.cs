namespace Mesh.Proxy.Security.Authorization;

/// <summary>The outcome of authorization: allowed or not, and the policy that decided (for logs).</summary>
internal readonly record struct AuthorizationDecision(bool Allowed, string? Policy)
{
    public static AuthorizationDecision AllowedByDefault => new(true, null);
}
