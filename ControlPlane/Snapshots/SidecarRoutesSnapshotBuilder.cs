using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Outbound routing of a sidecar: one virtual host per visible (service, HTTP port) — HTTPS ports
/// carry TLS end to end and get none (<see cref="SidecarOutboundSnapshotBuilder"/> picks the ports) — with the
/// routes of the Gateway API routes whose parent is that Service (GAMMA) if there are any, else
/// of the VirtualServices bound to the mesh that cover the service host, else a default route to
/// all endpoints. Several VirtualServices for one host are merged: exact host matches before
/// wildcard ones, each group in name order, rules in their written order. A Service with mesh
/// routes ignores the VirtualServices for its host, as Istio does (docs/gateway-api.md §4).
/// </summary>
internal static class SidecarRoutesSnapshotBuilder
{
    /// <summary>
    /// The virtual host of one visible (service, HTTP port) for a sidecar of the factory's node;
    /// the clusters its routes send to are added to the factory's <see cref="RouteContextFactory.ReferencedClusters"/>.
    /// </summary>
    /// <param name="virtualServices">The node's namespace's <see cref="MeshVirtualServices"/>.</param>
    public static Wire.VirtualHost VirtualHost(List<ConfigResource<VirtualServiceConfig>> virtualServices, GatewayApiGraph gatewayApi, ServiceModel service, uint port, RouteContextFactory contexts)
    {
        var nodeNamespace = contexts.NodeNamespace;
        var context = contexts.Create(port, gatewayKey: null);
        var virtualHost = new Wire.VirtualHost
        {
            Name = $"{service.Hostname}:{port}",
            Port = port,
        };
        virtualHost.Domains.AddRange(Domains(service, port, nodeNamespace));
        var meshRoutes = gatewayApi.HasMeshRoutes ? gatewayApi.MeshRoutesFor(service, port, nodeNamespace) : [];
        if (meshRoutes.Count > 0)
        {
            // Requests no rule matches get 404, as on a Gateway: the routes replace the default route.
            foreach (var converted in GatewayApiGraph.Ordered(meshRoutes.Select(r => (r, r.MeshRoutes!))))
            {
                virtualHost.Routes.Add(converted.Route);
                foreach (var (clusterHost, clusterPort) in converted.Clusters)
                {
                    context.ReferencedClusters.Add((clusterHost, clusterPort, ""));
                }
            }

            return virtualHost;
        }

        var bound = Bound(virtualServices, service.Hostname, contexts.Settings);
        foreach (var virtualService in bound)
        {
            virtualHost.Routes.AddRange(RouteSnapshotBuilder.Build(virtualService, context));
        }

        if (bound.Count == 0)
        {
            virtualHost.Routes.Add(RouteSnapshotBuilder.DefaultRoute(service.Hostname, port));
            context.ReferencedClusters.Add((service.Hostname, port, ""));
        }

        return virtualHost;
    }

    /// <summary>The VirtualServices a sidecar in <paramref name="nodeNamespace"/> applies: visible to it and bound to the mesh.</summary>
    internal static List<ConfigResource<VirtualServiceConfig>> MeshVirtualServices(MeshModel model, string nodeNamespace) =>
        [.. model.VirtualServices
            .Where(vs => HostNames.IsVisible(vs.Spec.ExportTo, vs.Namespace, nodeNamespace))
            .Where(vs => vs.Spec.Gateways.Count == 0 || vs.Spec.Gateways.Contains("mesh"))];

    /// <summary>The VirtualServices whose hosts cover <paramref name="hostname"/>: exact hosts first, then wildcards.</summary>
    internal static List<ConfigResource<VirtualServiceConfig>> Bound(List<ConfigResource<VirtualServiceConfig>> virtualServices, string hostname, MeshSettings settings)
    {
        var exact = new List<ConfigResource<VirtualServiceConfig>>();
        var wildcard = new List<ConfigResource<VirtualServiceConfig>>();
        foreach (var virtualService in virtualServices)
        {
            var hosts = virtualService.Spec.Hosts.Select(h => HostNames.Resolve(h, virtualService.Namespace, settings.DomainSuffix)).ToList();
            if (hosts.Any(h => string.Equals(h, hostname, StringComparison.OrdinalIgnoreCase)))
            {
                exact.Add(virtualService);
            }
            else if (hosts.Any(h => HostNames.Covers(h, hostname)))
            {
                wildcard.Add(virtualService);
            }
        }

        return [.. exact, .. wildcard];
    }

    /// <summary>
    /// The names an app may use for the service: short name (same namespace only), name.ns,
    /// name.ns.svc, the FQDN — each also with ":port". ServiceEntry hosts as written.
    /// </summary>
    public static IEnumerable<string> Domains(ServiceModel service, uint port, string nodeNamespace) =>
        Names(service, nodeNamespace).SelectMany(n => new[] { n, $"{n}:{port}" });

    /// <summary>The names an app may use for the service, without ports.</summary>
    public static IReadOnlyList<string> Names(ServiceModel service, string nodeNamespace)
    {
        var names = new List<string>();
        if (service.ShortName is { } shortName)
        {
            if (service.Namespace == nodeNamespace)
            {
                names.Add(shortName);
            }

            names.Add($"{shortName}.{service.Namespace}");
            names.Add($"{shortName}.{service.Namespace}.svc");
        }

        names.Add(service.Hostname);
        return names;
    }
}
