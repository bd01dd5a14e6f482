using System.Collections.Immutable;
using Mesh.Config.Model;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The part of a sidecar's snapshot that comes from the services it sees: its outbound virtual
/// hosts and L4 listeners, the clusters they route to and every visible service port's clusters (default and one
/// per DestinationRule subset), and its Sidecar scope's outbound traffic policy. It is by far the
/// largest part, and it depends on the proxy only through its namespace and which VirtualService
/// <c>sourceLabels</c>, DestinationRule and Sidecar workload selectors match it
/// (<see cref="Selectors"/>): <see cref="SnapshotMemo"/> builds it once per namespace and set of
/// matching selectors, for a node reduced to its namespace and the labels they name, and every
/// sidecar with the same namespace and matches shares the result. It is assembled from pieces
/// (<see cref="OutboundPieces"/>: a virtual host or L4 listener per service port) that the parts
/// of other scopes share, and it looks at the services its scope can import only.
/// </summary>
internal static class SidecarOutboundSnapshotBuilder
{
    public static OutboundRoutes Build(MeshModel model, ServiceIndex services, MeshSettings settings, OutboundPieces pieces, Wire.Node reducedNode)
    {
        var nodeNamespace = reducedNode.Namespace;
        var scope = SidecarScope.For(model, reducedNode, nodeNamespace, settings);
        var rules = new DestinationRuleIndex(model, reducedNode, settings);
        var visible = scope.Candidates(services, nodeNamespace).ToList();

        // Virtual hosts (HTTP ports; HTTPS carries TLS end to end, never HTTP routes: a virtual host
        // for one would be NACKed by every sidecar), then L4 listeners, each in service order; the
        // pieces are shared with every other part that includes them (OutboundPieces).
        var wanted = new SortedSet<(string Host, uint Port, string Subset)>();
        var virtualHosts = ImmutableArray.CreateBuilder<Wire.VirtualHost>();
        var listeners = ImmutableArray.CreateBuilder<Wire.L4Listener>();
        foreach (var (service, port) in Ports(visible, scope, l4: false))
        {
            var piece = pieces.VirtualHost(service, port.Number, reducedNode);
            virtualHosts.Add(piece.Value);
            wanted.UnionWith(piece.Clusters);
        }

        foreach (var (service, port) in Ports(visible, scope, l4: true))
        {
            var piece = pieces.L4Listener(service, port, reducedNode);
            listeners.Add(piece.Value);
            wanted.UnionWith(piece.Clusters);
        }

        // Every visible service port has its default cluster and one per subset its DestinationRule
        // defines; a TCP port's clusters are the ones its L4 chains name.
        foreach (var service in visible)
        {
            var subsets = rules.For(service)?.Spec.Subsets.Select(s => s.Name).OfType<string>().ToList() ?? [];
            foreach (var port in service.Ports.Where(p => p.Protocol != Wire.Protocol.Tcp && scope.Includes(service, p.Number)))
            {
                wanted.Add((service.Hostname, port.Number, ""));
                foreach (var subset in subsets)
                {
                    wanted.Add((service.Hostname, port.Number, subset));
                }
            }
        }

        var clusters = wanted
            .Select(w => new ClusterKey(w.Host, w.Port, w.Subset, services.Find(w.Host) is { } service ? rules.For(service) : null))
            .ToImmutableArray();
        return new OutboundRoutes(virtualHosts.ToImmutable(), listeners.ToImmutable(), scope.OutboundTrafficPolicy, clusters)
        {
            ServiceAddresses = ServiceAddressSnapshotBuilder.Build(services, scope, visible),
        };
    }

    private static IEnumerable<(ServiceModel Service, ServicePortModel Port)> Ports(List<ServiceModel> visible, SidecarScope scope, bool l4) =>
        visible.SelectMany(s => s.Ports.Where(p => ServiceIndex.IsL4(p.Protocol) == l4 && scope.Includes(s, p.Number)).Select(p => (s, p)));

    /// <summary>
    /// The label selectors this part evaluates against the node: every VirtualService http, tcp and
    /// tls match's <c>sourceLabels</c> and every DestinationRule and Sidecar workload selector, each as the
    /// labels it requires (all present with the same value), without duplicates. Two sidecars of
    /// one namespace that match the same of these get the same part.
    /// </summary>
    public static ImmutableArray<LabelRequirement> Selectors(MeshModel model)
    {
        var selectors = new List<LabelRequirement>(OutboundPieces.RouteSelectors(model));
        selectors.AddRange(model.DestinationRules.Select(r => LabelRequirement.Of(r.Spec.WorkloadSelector?.MatchLabels)));
        selectors.AddRange(model.Sidecars.Select(s => LabelRequirement.Of(s.Spec.WorkloadSelector?.Labels)));
        return [.. selectors.Where(s => !s.Labels.IsEmpty).DistinctBy(s => s.Key)];
    }
}

/// <summary>
/// A sidecar's outbound part before its clusters are built: the virtual hosts, the outbound
/// traffic policy and which clusters it needs, in snapshot order. It depends on the configuration
/// and the services' definitions, never on their endpoints, so endpoint churn reuses it.
/// </summary>
internal sealed record OutboundRoutes(ImmutableArray<Wire.VirtualHost> VirtualHosts, ImmutableArray<Wire.L4Listener> L4Listeners, Wire.OutboundTrafficPolicy OutboundTrafficPolicy, ImmutableArray<ClusterKey> Clusters)
{
    /// <summary>The visible services' addresses, for sidecars with transparent capture (docs/capture.md).</summary>
    public ImmutableArray<Wire.ServiceAddress> ServiceAddresses { get; init; } = [];
}

/// <summary>A sidecar's outbound part with its clusters (definitions and this registry's endpoints).</summary>
internal sealed record OutboundSection(ImmutableArray<Wire.VirtualHost> VirtualHosts, ImmutableArray<Wire.L4Listener> L4Listeners, Wire.OutboundTrafficPolicy OutboundTrafficPolicy, ImmutableArray<Wire.Cluster> Clusters)
{
    /// <inheritdoc cref="OutboundRoutes.ServiceAddresses"/>
    public ImmutableArray<Wire.ServiceAddress> ServiceAddresses { get; init; } = [];
}

/// <summary>Labels a selector requires, all present with the same value (Istio's label selectors without expressions).</summary>
internal sealed record LabelRequirement(ImmutableArray<KeyValuePair<string, string>> Labels, string Key)
{
    public static LabelRequirement Of(IEnumerable<KeyValuePair<string, string>>? labels)
    {
        var sorted = (labels ?? []).OrderBy(l => l.Key, StringComparer.Ordinal).ToImmutableArray();
        return new LabelRequirement(sorted, string.Join('\n', sorted.Select(l => $"{l.Key}={l.Value}")));
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        Labels.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value);
}
