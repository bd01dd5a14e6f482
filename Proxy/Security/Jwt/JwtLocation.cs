namespace Mesh.Proxy.Security.Jwt;

/// <summary>Where a rule looks for its token: a header (with an optional prefix such as "Bearer "), a query parameter or a cookie.</summary>
internal sealed record JwtLocation(JwtLocationKind Kind, string Name, string Prefix = "")
{
    /// <summary>Istio's default when a rule names no location: <c>Authorization: Bearer</c> and <c>?access_token=</c>.</summary>
    public static readonly JwtLocation[] Defaults = [new(JwtLocationKind.Header, "authorization", "Bearer "), new(JwtLocationKind.Query, "access_token")];
}

internal enum JwtLocationKind
{
    Header,
    Query,
    Cookie,
}
