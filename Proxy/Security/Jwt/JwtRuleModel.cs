namespace Mesh.Proxy.Security.Jwt;

/// <summary>One compiled <c>RequestAuthentication</c> JWT rule.</summary>
internal sealed class JwtRuleModel
{
    public required string Issuer { get; init; }

    /// <summary>Accepted audiences; empty = the token's audiences are not checked.</summary>
    public required string[] Audiences { get; init; }

    /// <summary>Inline keys (<c>jwks</c>); null when fetched from <see cref="JwksUri"/>.</summary>
    public JsonWebKeySet? Keys { get; init; }

    public Uri? JwksUri { get; init; }

    public required JwtLocation[] Locations { get; init; }

    public string? OutputPayloadToHeader { get; init; }

    public bool ForwardOriginalToken { get; init; }

    public required (string Header, string Claim)[] ClaimsToHeaders { get; init; }

    /// <summary>The RequestAuthentication it came from (<c>&lt;name&gt;.&lt;namespace&gt;</c>).</summary>
    public required string Policy { get; init; }

    public bool Accepts(string? issuer) => Issuer.Length == 0 || issuer == Issuer;
}
