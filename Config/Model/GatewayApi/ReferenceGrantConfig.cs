using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>
/// Spec of the Gateway API's <c>ReferenceGrant</c>: objects of the <c>from</c> kinds in the
/// <c>from</c> namespaces may refer to the <c>to</c> kinds (optionally one name) in the grant's own
/// namespace. Without one, a route's backendRef or a listener's certificateRef into another
/// namespace is refused.
/// </summary>
public sealed record ReferenceGrantConfig
{
    public ValueList<ReferenceGrantFrom> From { get; init; } = [];

    public ValueList<ReferenceGrantTo> To { get; init; } = [];
}

public sealed record ReferenceGrantFrom
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Namespace { get; init; }
}

public sealed record ReferenceGrantTo
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }
}
