using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A sidecar's L4 listeners: one per visible (service, TCP/TLS/HTTPS port) with the chains of the
/// mesh-bound VirtualServices covering the service (exact hosts first, then wildcards; <c>tcp</c>
/// rules on TCP ports, <c>tls</c> rules on TLS and HTTPS ports), followed by a default chain to the
/// service's own cluster unless a rule already takes every connection (Istio falls back to the
/// destination service the same way). TCPRoutes whose parent is the Service (GAMMA) take the place
/// of the VirtualServices on its TCP ports, as HTTPRoutes do on HTTP ports. The default chain of a TLS port matches the service's names
/// as SNI, so a TLS connection naming another host is not sent there.
/// </summary>
internal static class L4SidecarSnapshotBuilder
{
    /// <summary>
    /// The listener of one visible (service, TCP/TLS/HTTPS port) for a sidecar of the factory's node;
    /// the clusters its chains send to are added to the factory's <see cref="RouteContextFactory.ReferencedClusters"/>.
    /// </summary>
    /// <param name="virtualServices">The node's namespace's <see cref="SidecarRoutesSnapshotBuilder.MeshVirtualServices"/>.</param>
    public static Wire.L4Listener Listener(List<ConfigResource<VirtualServiceConfig>> virtualServices, GatewayApiGraph gatewayApi, ServiceModel service, ServicePortModel port, RouteContextFactory contexts)
    {
        var nodeNamespace = contexts.NodeNamespace;
        var tls = port.Protocol is Wire.Protocol.Tls or Wire.Protocol.Https;
        var names = SidecarRoutesSnapshotBuilder.Names(service, nodeNamespace);
        var listener = new Wire.L4Listener
        {
            Name = $"{service.Hostname}:{port.Number}",
            Port = port.Number,
            Protocol = tls ? Wire.Protocol.Tls : Wire.Protocol.Tcp,
        };
        listener.Hosts.AddRange(names);
        listener.Addresses.AddRange(service.Addresses);

        var context = contexts.Create(port.Number, gatewayKey: null);
        var meshRoutes = !tls && gatewayApi.HasMeshRoutes ? gatewayApi.MeshRoutesFor(service, port.Number, nodeNamespace, l4: true).Where(r => r.Kind == "TCPRoute").ToList() : [];
        if (meshRoutes.Count > 0)
        {
            // GAMMA: TCPRoutes on the Service replace the VirtualServices for its host, as HTTPRoutes do.
            listener.FilterChains.AddRange(MeshChains(meshRoutes, context));
        }

        foreach (var virtualService in meshRoutes.Count > 0 ? [] : SidecarRoutesSnapshotBuilder.Bound(virtualServices, service.Hostname, contexts.Settings))
        {
            listener.FilterChains.AddRange(tls
                ? L4RouteSnapshotBuilder.TlsChains(virtualService, context, gatewayServer: null, serverHosts: null)
                : L4RouteSnapshotBuilder.TcpChains(virtualService, context, gatewayServer: null));
        }

        if (!listener.FilterChains.Any(L4RouteSnapshotBuilder.IsUnconditional))
        {
            listener.FilterChains.Add(L4RouteSnapshotBuilder.Default(service.Hostname, port.Number, context, tls ? names : []));
        }

        return listener;
    }

    private static IEnumerable<Wire.L4FilterChain> MeshChains(IEnumerable<ResolvedRoute> routes, RouteContext context)
    {
        foreach (var route in routes.OrderBy(r => r.OrderKey, StringComparer.Ordinal))
        {
            foreach (var rule in route.MeshRoutes!.L4Rules)
            {
                yield return KubernetesGatewayL4SnapshotBuilder.Chain(route, rule, context, gatewayServer: null);
            }
        }
    }
}
