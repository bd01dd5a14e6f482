using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Builds the <see cref="GatewayApiGraph"/>: which GatewayClasses are the mesh's (Istio's
/// controller; the class <c>istio</c> always), which of their Gateways' listeners serve, and where
/// each HTTPRoute, GRPCRoute, TCPRoute and TLSRoute attached (Istio's rules and reasons: port and sectionName, then
/// hostnames and namespaces, then kinds), with their rules converted.
/// </summary>
internal static class GatewayApiGraphBuilder
{
    public static GatewayApiGraph Build(MeshModel model, ServiceIndex services, MeshSettings settings)
    {
        if (model.KubernetesGateways.Length == 0 && model.HttpRoutes.Length == 0 && model.GrpcRoutes.Length == 0 && model.TcpRoutes.Length == 0 && model.TlsRoutes.Length == 0)
        {
            return GatewayApiGraph.Empty;
        }

        var classes = new Dictionary<string, string>(StringComparer.Ordinal) { [GatewayApiNames.BuiltinClass] = GatewayApiNames.ControllerName };
        foreach (var gatewayClass in model.GatewayClasses)
        {
            classes[gatewayClass.Name] = gatewayClass.Spec.ControllerName ?? "";
        }

        var grants = new ReferenceGrants(model.ReferenceGrants);
        var gateways = model.KubernetesGateways
            .Where(g => classes.TryGetValue(g.Spec.GatewayClassName ?? "", out var controller) && controller == GatewayApiNames.ControllerName)
            .Select(g => GatewayResolver.Resolve(g, g.Spec.GatewayClassName!, grants))
            .ToList();

        var routes = new List<ResolvedRoute>();
        foreach (var route in model.HttpRoutes)
        {
            routes.Add(Resolve(route.Object, route.Spec.ParentRefs, route.Spec.Hostnames, gateways, services, settings,
                backends => GatewayRouteConverter.Http(route, backends), grants));
        }

        foreach (var route in model.GrpcRoutes)
        {
            routes.Add(Resolve(route.Object, route.Spec.ParentRefs, route.Spec.Hostnames, gateways, services, settings,
                backends => GatewayRouteConverter.Grpc(route, backends), grants));
        }

        // TCPRoute has no hostnames (it attaches to any listener hostname); TLSRoute's are SNI names.
        foreach (var route in model.TcpRoutes)
        {
            routes.Add(Resolve(route.Object, route.Spec.ParentRefs, [], gateways, services, settings,
                backends => L4RouteConverter.Convert(route.Object, route.Spec.Rules, backends), grants));
        }

        foreach (var route in model.TlsRoutes)
        {
            routes.Add(Resolve(route.Object, route.Spec.ParentRefs, route.Spec.Hostnames, gateways, services, settings,
                backends => L4RouteConverter.Convert(route.Object, route.Spec.Rules, backends), grants));
        }

        return new GatewayApiGraph(gateways, routes, classes);
    }

    private static ResolvedRoute Resolve(
        ConfigObject route, IReadOnlyList<ParentReference> parentRefs, IReadOnlyList<string> hostnames, List<ResolvedGateway> gateways,
        ServiceIndex services, MeshSettings settings, Func<RouteBackends, RouteConversion> convert, ReferenceGrants grants)
    {
        var parents = new List<RouteParentResult>();
        foreach (var reference in parentRefs)
        {
            if (Parent(route, reference, hostnames, gateways, services, settings) is { } parent)
            {
                parents.Add(parent);
            }
        }

        var resolved = new ResolvedRoute(route, hostnames, parents);
        if (parents.Any(p => !p.IsMesh))
        {
            resolved = resolved with { GatewayRoutes = convert(new RouteBackends(services, grants, settings, route.Kind, route.Metadata.Namespace, enforceGrants: true)) };
        }

        if (parents.Any(p => p.IsMesh))
        {
            resolved = resolved with { MeshRoutes = convert(new RouteBackends(services, grants, settings, route.Kind, route.Metadata.Namespace, enforceGrants: false)) };
        }

        return resolved;
    }

    /// <summary>The result for one parentRef, or null when the parent is not the mesh's to report on (another controller's Gateway, an unknown kind).</summary>
    private static RouteParentResult? Parent(ConfigObject route, ParentReference reference, IReadOnlyList<string> hostnames, List<ResolvedGateway> gateways, ServiceIndex services, MeshSettings settings)
    {
        var group = reference.Group ?? GatewayApiNames.Group;
        var kind = reference.Kind ?? "Gateway";
        var ns = reference.Namespace ?? route.Metadata.Namespace;
        if (group == "" && kind == "Service")
        {
            var hostname = $"{reference.Name}.{ns}.svc.{settings.DomainSuffix}".ToLowerInvariant();
            var exists = services.Find(hostname) is not null;
            // Sidecars route TCPRoutes on a Service (its TCP ports); TLSRoutes only on Gateways.
            var meshProblem = route.Kind == "TLSRoute" ? new GatewayApiProblem("UnsupportedValue", "a TLSRoute routes on Gateways only; a Service parent (mesh traffic) is not supported")
                : exists ? null : new GatewayApiProblem("NoMatchingParent", $"parent service: \"{reference.Name}\" not found");
            return new RouteParentResult(reference, [], meshProblem)
            {
                MeshService = hostname,
            };
        }

        if (group != GatewayApiNames.Group || kind != "Gateway"
            || gateways.FirstOrDefault(g => g.Gateway.Namespace == ns && g.Gateway.Name == reference.Name) is not { } gateway)
        {
            return null;
        }

        if (gateway.Refused is not null)
        {
            return new RouteParentResult(reference, [], new("NoMatchingParent", $"Gateway {ns}/{reference.Name} is not accepted: {gateway.Refused.Message}"));
        }

        var accepted = new List<ResolvedListener>();
        var denials = new List<(int Rank, GatewayApiProblem Problem)>();
        foreach (var listener in gateway.Listeners.Where(l => l.Accepted))
        {
            if (Denial(route, reference, hostnames, listener, gateway) is { } denial)
            {
                denials.Add(denial);
            }
            else
            {
                accepted.Add(listener);
            }
        }

        if (accepted.Count > 0)
        {
            return new RouteParentResult(reference, accepted, null);
        }

        // Report the reason closest to success (Istio's ranking): namespaces or kinds before hostnames before no parent.
        var closest = denials.OrderBy(d => d.Rank).FirstOrDefault();
        var problem = closest.Problem is null ? new GatewayApiProblem("NoMatchingParent", "the Gateway has no accepted listener")
            : new GatewayApiProblem(closest.Problem.Reason, string.Join("; ", denials.Where(d => d.Rank == closest.Rank).Select(d => d.Problem.Message).Distinct(StringComparer.Ordinal)));
        return new RouteParentResult(reference, [], problem);
    }

    private static (int, GatewayApiProblem)? Denial(ConfigObject route, ParentReference reference, IReadOnlyList<string> hostnames, ResolvedListener listener, ResolvedGateway gateway)
    {
        if (reference.Port is { } port && port != listener.Port)
        {
            return (3, new("NoMatchingParent", $"port {port} not found"));
        }

        if (reference.SectionName is { } section && section != listener.Name)
        {
            return (3, new("NoMatchingParent", $"sectionName \"{section}\" not found"));
        }

        var routeHosts = hostnames.Count == 0 ? ["*"] : hostnames;
        if (!routeHosts.Any(h => GatewayApiHostnames.Intersect(listener.Hostname, h) is not null))
        {
            return (2, new("NoMatchingListenerHostname", $"no hostnames matched parent hostname \"{listener.Listener.Hostname ?? ""}\""));
        }

        if (!listener.AdmitsNamespace(route.Metadata.Namespace))
        {
            return (1, new("NotAllowedByListeners", $"hostnames matched parent hostname \"{listener.Listener.Hostname ?? ""}\", but namespace \"{route.Metadata.Namespace}\" is not allowed by the parent (listener {listener.Name} of Gateway {gateway.Key})"));
        }

        if (!listener.SupportedKinds.Any(k => k.Group == GatewayApiNames.Group && k.Kind == route.Kind))
        {
            return (1, new("NotAllowedByListeners", $"kind {route.Kind} is not allowed by listener {listener.Name} (it admits {string.Join(", ", listener.SupportedKinds.Select(k => k.Kind))})"));
        }

        return null;
    }
}
