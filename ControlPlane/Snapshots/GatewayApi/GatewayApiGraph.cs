using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The Gateway API objects of a configuration, resolved once per (model, registry) and shared by
/// every snapshot build and by status: the mesh's Gateways and their listeners, the routes and
/// where they attached. Pure: built from the inputs alone.
/// </summary>
internal sealed class GatewayApiGraph
{
    public static GatewayApiGraph Empty { get; } = new([], [], new Dictionary<string, string>());

    public GatewayApiGraph(IReadOnlyList<ResolvedGateway> gateways, IReadOnlyList<ResolvedRoute> routes, IReadOnlyDictionary<string, string> classes)
    {
        Gateways = gateways;
        Routes = routes;
        Classes = classes;
    }

    /// <summary>The Gateways of the mesh's classes.</summary>
    public IReadOnlyList<ResolvedGateway> Gateways { get; }

    public IReadOnlyList<ResolvedRoute> Routes { get; }

    /// <summary>Every known GatewayClass (the built-in <c>istio</c> and the objects) → its controller.</summary>
    public IReadOnlyDictionary<string, string> Classes { get; }

    public ResolvedGateway? Find(string ns, string name) => Gateways.FirstOrDefault(g => g.Gateway.Namespace == ns && g.Gateway.Name == name);

    /// <summary>The Gateway a gateway proxy serves: the one named by its gateway-name label, in its namespace.</summary>
    public ResolvedGateway? ServedBy(Wire.Node node, string nodeNamespace) =>
        node.Labels.TryGetValue(GatewayApiNames.GatewayNameLabel, out var name) ? Find(nodeNamespace, name) : null;

    /// <summary>The routes attached to a listener, in route order.</summary>
    public IEnumerable<ResolvedRoute> AttachedTo(ResolvedListener listener) =>
        Routes.Where(r => r.Parents.Any(p => p.Denied is null && p.Listeners.Contains(listener)));

    /// <summary>
    /// The mesh routes (GAMMA) for a service port as a client in <paramref name="clientNamespace"/>
    /// sees them: routes in the client's own namespace (consumer routes) if there are any, else
    /// routes in the service's namespace (producer routes) — as Istio orders them; routes from any
    /// other namespace do not apply. <paramref name="l4"/> picks TCPRoutes (for TCP ports) rather
    /// than HTTPRoutes and GRPCRoutes.
    /// </summary>
    public IReadOnlyList<ResolvedRoute> MeshRoutesFor(ServiceModel service, uint port, string clientNamespace, bool l4 = false)
    {
        var routes = Routes.Where(r => r.IsL4 == l4 && r.Parents.Any(p => p.Denied is null && p.MeshService == service.Hostname && (p.Reference.Port is null || p.Reference.Port == port))).ToList();
        var consumer = routes.Where(r => r.Namespace == clientNamespace).ToList();
        return consumer.Count > 0 ? consumer : [.. routes.Where(r => r.Namespace == service.Namespace)];
    }

    /// <summary>Every Service name a mesh route attaches to, for the service's hostname.</summary>
    public bool HasMeshRoutes => Routes.Any(r => r.Parents.Any(p => p.IsMesh && p.Denied is null));

    /// <summary>Routes of several objects for one host, ordered by the spec's precedence (stable: ties keep route and rule order).</summary>
    public static IEnumerable<ConvertedRoute> Ordered(IEnumerable<(ResolvedRoute Route, RouteConversion Conversion)> routes) =>
        routes.OrderBy(r => r.Route.OrderKey, StringComparer.Ordinal)
            .SelectMany(r => r.Conversion.Routes)
            .OrderBy(r => r.Precedence);
}
