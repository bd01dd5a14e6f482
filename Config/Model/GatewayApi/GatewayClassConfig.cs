namespace Mesh.Config.Model.GatewayApi;

/// <summary>
/// Spec of the Gateway API's <c>GatewayClass</c> (cluster-scoped): which controller implements the
/// Gateways of this class. The mesh implements <c>istio.io/gateway-controller</c>, and the class
/// <c>istio</c> exists without an object, as Istio creates it.
/// </summary>
public sealed record GatewayClassConfig
{
    public string? ControllerName { get; init; }

    public ParametersReference? ParametersRef { get; init; }

    public string? Description { get; init; }
}

/// <summary>The Gateway API's <c>ParametersReference</c>.</summary>
public sealed record ParametersReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }
}
