using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// An HTTPRoute, GRPCRoute, TCPRoute or TLSRoute with its parents resolved: the listeners (or the Service, for mesh
/// routes) it attached to or why not, and its rules converted for gateways (ReferenceGrants
/// enforced) and for the mesh.
/// </summary>
internal sealed record ResolvedRoute(ConfigObject Object, IReadOnlyList<string> Hostnames, IReadOnlyList<RouteParentResult> Parents)
{
    public RouteConversion? GatewayRoutes { get; init; }

    public RouteConversion? MeshRoutes { get; init; }

    public string Kind => Object.Kind;

    public string Namespace => Object.Metadata.Namespace;

    /// <summary>A TCPRoute or TLSRoute: it routes connections, not requests.</summary>
    public bool IsL4 => Kind is "TCPRoute" or "TLSRoute";

    /// <summary>Routes of equal precedence keep this order: namespace/name (Istio: creation time first).</summary>
    public string OrderKey => $"{Object.Metadata.Namespace}/{Object.Metadata.Name}";
}

/// <summary>
/// One parentRef of a route: the listeners it attached to, or the mesh service it routes, or why
/// it did not attach (the spec's reasons: NotAllowedByListeners, NoMatchingListenerHostname,
/// NoMatchingParent).
/// </summary>
internal sealed record RouteParentResult(ParentReference Reference, IReadOnlyList<ResolvedListener> Listeners, GatewayApiProblem? Denied)
{
    /// <summary>For a Service parent (GAMMA): the service's hostname; null for a Gateway parent.</summary>
    public string? MeshService { get; init; }

    public bool IsMesh => MeshService is not null;
}
