using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The per-resource pieces sidecars' outbound parts are assembled from — one virtual host per
/// (service, HTTP port) and one L4 listener per (service, TCP/TLS port) — each built once per
/// route epoch (<see cref="SnapshotMemo"/>) for every outbound part that includes it. A piece
/// depends on the proxy only through its namespace and which VirtualService <c>sourceLabels</c>
/// match it (<see cref="RouteSelectors"/>); what a <c>Sidecar</c> scope imports, or which
/// DestinationRule selects the proxy, decides which pieces a part takes and which clusters their
/// names map to, not what a piece holds. So with one <c>Sidecar</c> per workload (each scope a
/// different outbound part), a change to a service every scope imports builds its virtual host
/// once, not once per scope, and every scope's snapshot holds the same object — encoded and hashed
/// once (<see cref="EncodedSnapshot"/>).
/// </summary>
internal sealed class OutboundPieces(MeshModel model, ServiceIndex services, MeshSettings settings, GatewayApiGraph gatewayApi)
{
    private readonly ImmutableArray<LabelRequirement> _routeSelectors = RouteSelectors(model);
    private readonly ConcurrentDictionary<string, Lazy<List<ConfigResource<VirtualServiceConfig>>>> _virtualServices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<OutboundPiece<Wire.VirtualHost>>> _virtualHosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<OutboundPiece<Wire.L4Listener>>> _listeners = new(StringComparer.Ordinal);
    private long _builds;

    /// <summary>Pieces built (diagnostics and tests).</summary>
    public long Builds => Interlocked.Read(ref _builds);

    /// <summary>The virtual host of a visible (service, HTTP port) for sidecars of <paramref name="node"/>'s namespace and route selector matches.</summary>
    public OutboundPiece<Wire.VirtualHost> VirtualHost(ServiceModel service, uint port, Wire.Node node) =>
        Get(_virtualHosts, service, port, node, contexts =>
            SidecarRoutesSnapshotBuilder.VirtualHost(VirtualServices(contexts.NodeNamespace), gatewayApi, service, port, contexts));

    /// <summary>The L4 listener of a visible (service, TCP/TLS/HTTPS port) for sidecars of <paramref name="node"/>'s namespace and route selector matches.</summary>
    public OutboundPiece<Wire.L4Listener> L4Listener(ServiceModel service, ServicePortModel port, Wire.Node node) =>
        Get(_listeners, service, port.Number, node, contexts =>
            L4SidecarSnapshotBuilder.Listener(VirtualServices(contexts.NodeNamespace), gatewayApi, service, port, contexts));

    private OutboundPiece<T> Get<T>(
        ConcurrentDictionary<string, Lazy<OutboundPiece<T>>> pieces,
        ServiceModel service,
        uint port,
        Wire.Node node,
        Func<RouteContextFactory, T> build)
    {
        var matches = string.Concat(_routeSelectors.Select(s => s.Matches(node.Labels) ? '1' : '0'));
        var key = $"{service.Hostname}:{port}\n{node.Namespace}\n{matches}";
        return pieces.GetOrAdd(key, _ => new Lazy<OutboundPiece<T>>(() =>
        {
            Interlocked.Increment(ref _builds);

            // Built for the node reduced to what a piece may depend on, so nothing else leaks into a shared piece.
            var contexts = new RouteContextFactory(Reduce(node), node.Namespace, services, settings);
            var value = build(contexts);
            return new OutboundPiece<T>(value, [.. contexts.ReferencedClusters]);
        })).Value;
    }

    private Wire.Node Reduce(Wire.Node node)
    {
        var reduced = new Wire.Node { Namespace = node.Namespace, Mode = Wire.ProxyMode.Sidecar };
        foreach (var key in _routeSelectors.SelectMany(s => s.Labels).Select(l => l.Key).Distinct(StringComparer.Ordinal))
        {
            if (node.Labels.TryGetValue(key, out var value))
            {
                reduced.Labels.Add(key, value);
            }
        }

        return reduced;
    }

    private List<ConfigResource<VirtualServiceConfig>> VirtualServices(string nodeNamespace) =>
        _virtualServices.GetOrAdd(nodeNamespace, ns => new Lazy<List<ConfigResource<VirtualServiceConfig>>>(
            () => SidecarRoutesSnapshotBuilder.MeshVirtualServices(model, ns))).Value;

    /// <summary>Every VirtualService http, tcp and tls match's <c>sourceLabels</c>, as the labels each requires, without duplicates.</summary>
    public static ImmutableArray<LabelRequirement> RouteSelectors(MeshModel model)
    {
        var selectors = new List<LabelRequirement>();
        foreach (var virtualService in model.VirtualServices)
        {
            selectors.AddRange(virtualService.Spec.Http.SelectMany(h => h.Match).Select(m => LabelRequirement.Of(m.SourceLabels)));
            selectors.AddRange(virtualService.Spec.Tcp.SelectMany(t => t.Match).Select(m => LabelRequirement.Of(m.SourceLabels)));
            selectors.AddRange(virtualService.Spec.Tls.SelectMany(t => t.Match).Select(m => LabelRequirement.Of(m.SourceLabels)));
        }

        return [.. selectors.Where(s => !s.Labels.IsEmpty).DistinctBy(s => s.Key)];
    }
}

/// <summary>One outbound resource and the clusters (host, port, subset) it sends traffic to.</summary>
internal sealed record OutboundPiece<T>(T Value, ImmutableArray<(string Host, uint Port, string Subset)> Clusters);
