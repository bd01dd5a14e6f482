using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>
/// The Gateway API's <c>ParentReference</c>: the Gateway (default) or Service a route attaches to,
/// optionally narrowed to one listener (<c>sectionName</c>) or port.
/// </summary>
public sealed record ParentReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? SectionName { get; init; }

    public int? Port { get; init; }
}

/// <summary>The Gateway API's <c>BackendRef</c> (a <c>BackendObjectReference</c> with a weight).</summary>
public sealed record BackendRef
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public int? Port { get; init; }

    public int? Weight { get; init; }
}

/// <summary>The Gateway API's <c>BackendObjectReference</c> (mirror targets).</summary>
public sealed record BackendObjectReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public int? Port { get; init; }
}

/// <summary>The Gateway API's <c>SecretObjectReference</c> (listener certificates).</summary>
public sealed record SecretObjectReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>The Gateway API's <c>LocalObjectReference</c> (ExtensionRef filters).</summary>
public sealed record LocalObjectReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }
}

/// <summary>The Gateway API's <c>ObjectReference</c> (frontend TLS CA certificates).</summary>
public sealed record ObjectReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>A route kind a listener admits (<c>allowedRoutes.kinds</c>, <c>supportedKinds</c>).</summary>
public sealed record RouteGroupKind
{
    public string? Group { get; init; }

    public string? Kind { get; init; }
}

/// <summary>Kubernetes' <c>LabelSelector</c> (listener <c>allowedRoutes.namespaces.selector</c>).</summary>
public sealed record LabelSelector
{
    public ValueMap<string> MatchLabels { get; init; } = ValueMap<string>.Empty;

    public ValueList<LabelSelectorRequirement> MatchExpressions { get; init; } = [];
}

/// <summary>One <c>matchExpressions</c> entry: <c>In</c>, <c>NotIn</c>, <c>Exists</c>, <c>DoesNotExist</c>.</summary>
public sealed record LabelSelectorRequirement
{
    public string? Key { get; init; }

    public string? Operator { get; init; }

    public ValueList<string> Values { get; init; } = [];
}

/// <summary>The Gateway API's <c>Fraction</c> (mirror share): numerator / denominator (default 100).</summary>
public sealed record Fraction
{
    public int? Numerator { get; init; }

    public int? Denominator { get; init; }
}
