using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Security;

/// <summary>Spec of Istio's <c>AuthorizationPolicy</c>.</summary>
public sealed record AuthorizationPolicyConfig
{
    public WorkloadSelector? Selector { get; init; }

    [Refused("it attaches the policy to Gateway API gateways, services or waypoints, which Mesh does not have; use selector")]
    public PolicyTargetReference? TargetRef { get; init; }

    [Refused("it attaches the policy to Gateway API gateways, services or waypoints, which Mesh does not have; use selector")]
    public ValueList<PolicyTargetReference> TargetRefs { get; init; } = [];

    public ValueList<AuthorizationRule> Rules { get; init; } = [];

    public AuthorizationAction? Action { get; init; }

    /// <summary>CUSTOM: an <c>extensionProviders</c> entry of the mesh config (ConfigMap istio).</summary>
    public ExtensionProvider? Provider { get; init; }
}

/// <summary>Istio's <c>AuthorizationPolicy.Action</c>.</summary>
public enum AuthorizationAction
{
    Allow,
    Deny,
    Audit,
    Custom,
}

/// <summary>Istio's <c>AuthorizationPolicy.ExtensionProvider</c>: the external authorizer of a CUSTOM policy.</summary>
public sealed record ExtensionProvider
{
    public string? Name { get; init; }
}

/// <summary>Istio's <c>Rule</c>: from (sources) AND to (operations) AND when (conditions).</summary>
public sealed record AuthorizationRule
{
    public ValueList<RuleFrom> From { get; init; } = [];

    public ValueList<RuleTo> To { get; init; } = [];

    public ValueList<Condition> When { get; init; } = [];
}

/// <summary>Istio's <c>Rule.From</c>.</summary>
public sealed record RuleFrom
{
    public Source? Source { get; init; }
}

/// <summary>Istio's <c>Rule.To</c>.</summary>
public sealed record RuleTo
{
    public Operation? Operation { get; init; }
}

/// <summary>Istio's <c>Source</c>: peer and request identities, namespaces and IP blocks.</summary>
public sealed record Source
{
    public ValueList<string> Principals { get; init; } = [];

    public ValueList<string> NotPrincipals { get; init; } = [];

    public ValueList<string> RequestPrincipals { get; init; } = [];

    public ValueList<string> NotRequestPrincipals { get; init; } = [];

    public ValueList<string> Namespaces { get; init; } = [];

    public ValueList<string> NotNamespaces { get; init; } = [];

    public ValueList<string> ServiceAccounts { get; init; } = [];

    public ValueList<string> NotServiceAccounts { get; init; } = [];

    public ValueList<string> IpBlocks { get; init; } = [];

    public ValueList<string> NotIpBlocks { get; init; } = [];

    public ValueList<string> RemoteIpBlocks { get; init; } = [];

    public ValueList<string> NotRemoteIpBlocks { get; init; } = [];

    [Limited("exact and prefix (td*) matches; a suffix match (*.local) is refused: the proxy matches a peer's trust domain as the start of its principal")]
    public ValueList<string> TrustDomains { get; init; } = [];

    [Limited("exact and prefix (td*) matches; a suffix match (*.local) is refused: the proxy matches a peer's trust domain as the start of its principal")]
    public ValueList<string> NotTrustDomains { get; init; } = [];
}

/// <summary>Istio's <c>Operation</c>: hosts, ports, methods and paths of the request.</summary>
public sealed record Operation
{
    public ValueList<string> Hosts { get; init; } = [];

    public ValueList<string> NotHosts { get; init; } = [];

    public ValueList<string> Ports { get; init; } = [];

    public ValueList<string> NotPorts { get; init; } = [];

    public ValueList<string> Methods { get; init; } = [];

    public ValueList<string> NotMethods { get; init; } = [];

    [Limited("path templates ({*}, {**}) are refused: the proxy matches exact, prefix and suffix paths")]
    public ValueList<string> Paths { get; init; } = [];

    [Limited("path templates ({*}, {**}) are refused: the proxy matches exact, prefix and suffix paths")]
    public ValueList<string> NotPaths { get; init; } = [];
}

/// <summary>Istio's <c>Condition</c>: a request attribute key with values / notValues.</summary>
public sealed record Condition
{
    [Limited("Istio's attributes; experimental.envoy.filters.* (Envoy filter metadata) is refused")]
    public string? Key { get; init; }

    public ValueList<string> Values { get; init; } = [];

    public ValueList<string> NotValues { get; init; } = [];
}
