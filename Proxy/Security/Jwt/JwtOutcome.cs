namespace Mesh.Proxy.Security.Jwt;

/// <summary>The result of request authentication: the end-user (null without a token), or the reason for a 401.</summary>
internal readonly record struct JwtOutcome(JwtPrincipal? Principal, string? Error)
{
    public static JwtOutcome Anonymous => default;

    public bool Failed => Error is not null;
}
