using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Security;

/// <summary>Spec of Istio's <c>RequestAuthentication</c>: JWT validation rules.</summary>
public sealed record RequestAuthenticationConfig
{
    public WorkloadSelector? Selector { get; init; }

    [Refused("it attaches the policy to Gateway API gateways, services or waypoints, which Mesh does not have; use selector")]
    public PolicyTargetReference? TargetRef { get; init; }

    [Refused("it attaches the policy to Gateway API gateways, services or waypoints, which Mesh does not have; use selector")]
    public ValueList<PolicyTargetReference> TargetRefs { get; init; } = [];

    public ValueList<JwtRuleConfig> JwtRules { get; init; } = [];
}

/// <summary>Istio's <c>JWTRule</c>.</summary>
public sealed record JwtRuleConfig
{
    [Limited("each issuer once per policy: the proxy keys JWT providers by issuer")]
    public string? Issuer { get; init; }

    public ValueList<string> Audiences { get; init; } = [];

    [YamlName("jwksUri", Aliases = ["jwks_uri"])]
    public string? JwksUri { get; init; }

    public string? Jwks { get; init; }

    public ValueList<JwtHeaderConfig> FromHeaders { get; init; } = [];

    public ValueList<string> FromParams { get; init; } = [];

    public ValueList<string> FromCookies { get; init; } = [];

    public string? OutputPayloadToHeader { get; init; }

    public bool? ForwardOriginalToken { get; init; }

    public ValueList<ClaimToHeaderConfig> OutputClaimToHeaders { get; init; } = [];

    [Refused("the proxy's JWKS fetch timeout is fixed")]
    public TimeSpan? Timeout { get; init; }

    [Refused("the proxy does not split space-delimited claims")]
    public ValueList<string> SpaceDelimitedClaims { get; init; } = [];
}

/// <summary>Istio's <c>JWTHeader</c>.</summary>
public sealed record JwtHeaderConfig
{
    public string? Name { get; init; }

    public string? Prefix { get; init; }
}

/// <summary>Istio's <c>ClaimToHeader</c>.</summary>
public sealed record ClaimToHeaderConfig
{
    public string? Header { get; init; }

    public string? Claim { get; init; }
}
