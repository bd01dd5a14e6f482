using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// What the snapshots of one set of inputs share, built once however many proxies need it: a
/// sidecar's outbound part per (namespace, which label selectors of the configuration match it) and every cluster per
/// (host, port, subset, DestinationRule). So a push to 5,000 sidecars of 500 workload shapes
/// builds the 250 services' routes and clusters once, not 500 times.
/// </summary>
/// <remarks>
/// Routes and cluster definitions depend on the configuration, the settings and the services'
/// definitions, not on their endpoints: when only endpoints changed since the previous inputs
/// (a proxy joined or left a service that exists), they are carried over unchanged — endpoint
/// churn rebuilds endpoint lists and nothing else. Only the immediately preceding inputs are
/// consulted, so no chain of old memos is kept alive.
/// </remarks>
internal sealed class SnapshotMemo
{
    private readonly SnapshotInputs _inputs;
    private readonly RouteEpoch _epoch;
    private readonly ConcurrentDictionary<ClusterKey, Lazy<Wire.Cluster>> _clusters = new();
    private readonly ConcurrentDictionary<string, Lazy<OutboundSection>> _sections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Wire.Cluster, ClusterLocality> _localities = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<Wire.Cluster, ConcurrentDictionary<(string Network, bool LocalOnly), Wire.Cluster>> _networkViews = new(ReferenceEqualityComparer.Instance);

    private SnapshotMemo(SnapshotInputs inputs, RouteEpoch epoch)
    {
        _inputs = inputs;
        _epoch = epoch;
    }

    /// <summary>True when this memo reuses the routes and cluster definitions of the previous inputs.</summary>
    public bool CarriedOver { get; private init; }

    /// <summary>Outbound route parts built since the routes were last rebuilt from scratch (diagnostics and tests).</summary>
    public long EpochRouteBuilds => _epoch.Builds;

    /// <summary>The memo for <paramref name="inputs"/>, continuing <paramref name="previous"/>'s routes when only endpoints changed.</summary>
    public static SnapshotMemo Create(SnapshotInputs inputs, SnapshotMemo? previous)
    {
        if (previous is not null && previous._epoch.StillValidFor(inputs))
        {
            return new SnapshotMemo(inputs, previous._epoch) { CarriedOver = true };
        }

        return new SnapshotMemo(inputs, new RouteEpoch(inputs));
    }

    /// <summary>A sidecar's outbound part: shared by every sidecar of the same namespace that the same label selectors match.</summary>
    public OutboundSection Outbound(Wire.Node node, string nodeNamespace)
    {
        var key = _epoch.KeyOf(node, nodeNamespace);
        return _sections.GetOrAdd(key, static (key, state) => new Lazy<OutboundSection>(() =>
        {
            var routes = state.Memo._epoch.Routes(key, state.Memo._epoch.Reduce(state.Node, state.Namespace));
            return new OutboundSection(routes.VirtualHosts, routes.L4Listeners, routes.OutboundTrafficPolicy, [.. routes.Clusters.Select(state.Memo.Cluster)])
            {
                ServiceAddresses = routes.ServiceAddresses,
            };
        }), (Memo: this, Node: node, Namespace: nodeNamespace)).Value;
    }

    /// <summary>A cluster: its definition (carried over while the configuration stays) with these inputs' endpoints.</summary>
    public Wire.Cluster Cluster(ClusterKey key) =>
        _clusters.GetOrAdd(key, static (key, memo) => new Lazy<Wire.Cluster>(() =>
        {
            var definition = memo._epoch.Definition(key);
            var cluster = definition.Clone(); // a definition is small: it has no endpoints
            cluster.Endpoints.Add(new ClusterSnapshotBuilder(memo._inputs.Services, memo._inputs.Settings).Endpoints(key));
            memo._localities[cluster] = ClusterLocality.Of(key, memo._inputs.Services);
            return cluster;
        }), this).Value;

    /// <summary>
    /// The locality load-balancing setting of a cluster this memo built, from the DestinationRule
    /// its key names (the rule the receiving node's <see cref="DestinationRuleIndex"/> picked for
    /// it); null for a cluster this memo did not build.
    /// </summary>
    public ClusterLocality? LocalityOf(Wire.Cluster cluster) => _localities.GetValueOrDefault(cluster);

    /// <summary>
    /// A cluster as proxies on <paramref name="network"/> see it (<see cref="NetworkEndpointFilter"/>):
    /// built once per network for the clusters this memo built and shared by those proxies; a
    /// cluster copied for one proxy (locality) is filtered for it alone.
    /// </summary>
    public Wire.Cluster NetworkView(Wire.Cluster cluster, string network, bool localOnly)
    {
        if (!_localities.ContainsKey(cluster))
        {
            return NetworkEndpointFilter.Apply(cluster, network, _inputs.Gateways, localOnly);
        }

        var views = _networkViews.GetOrAdd(cluster, static _ => new());
        return views.GetOrAdd((network, localOnly), static (key, state) => NetworkEndpointFilter.Apply(state.Cluster, key.Network, state.Gateways, key.LocalOnly), (Cluster: cluster, Gateways: _inputs.Gateways));
    }

    /// <summary>
    /// What stays valid while the configuration, the settings and the services' definitions stay:
    /// outbound routes per reduced node and cluster definitions.
    /// </summary>
    private sealed class RouteEpoch
    {
        private readonly MeshModel _model;
        private readonly MeshSettings _settings;
        private readonly ServiceIndex _services;
        // Mesh routes (GAMMA) depend on the model and the service definitions only, as this epoch does.
        private readonly GatewayApiGraph _gatewayApi;
        private readonly ImmutableArray<LabelRequirement> _selectors;
        private readonly ConcurrentDictionary<string, Lazy<OutboundRoutes>> _routes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<ClusterKey, Lazy<Wire.Cluster>> _definitions = new();
        private long _builds;

        public RouteEpoch(SnapshotInputs inputs)
        {
            _model = inputs.Model;
            _settings = inputs.Settings;
            _services = inputs.Services;
            _gatewayApi = inputs.GatewayApi;
            _selectors = SidecarOutboundSnapshotBuilder.Selectors(_model);
        }

        public bool StillValidFor(SnapshotInputs inputs) =>
            ReferenceEquals(inputs.Model, _model)
            && ReferenceEquals(inputs.Settings, _settings)
            && inputs.Services.SameDefinitions(_services);

        public long Builds => Interlocked.Read(ref _builds);

        /// <summary>What the outbound part depends on: the namespace and which selectors match the node.</summary>
        public string KeyOf(Wire.Node node, string nodeNamespace) =>
            _selectors.IsEmpty ? nodeNamespace : $"{nodeNamespace}\n{string.Concat(_selectors.Select(s => s.Matches(node.Labels) ? '1' : '0'))}";

        /// <summary>The node as the outbound part sees it: its namespace and the labels the selectors name (so nothing else can leak into a shared part).</summary>
        public Wire.Node Reduce(Wire.Node node, string nodeNamespace)
        {
            var reduced = new Wire.Node { Namespace = nodeNamespace, Mode = Wire.ProxyMode.Sidecar };
            foreach (var key in _selectors.SelectMany(s => s.Labels).Select(l => l.Key).Distinct(StringComparer.Ordinal))
            {
                if (node.Labels.TryGetValue(key, out var value))
                {
                    reduced.Labels.Add(key, value);
                }
            }

            return reduced;
        }

        public OutboundRoutes Routes(string key, Wire.Node reduced) =>
            _routes.GetOrAdd(key, static (_, state) => new Lazy<OutboundRoutes>(() =>
            {
                Interlocked.Increment(ref state.Epoch._builds);
                return SidecarOutboundSnapshotBuilder.Build(state.Epoch._model, state.Epoch._services, state.Epoch._settings, state.Epoch._gatewayApi, state.Reduced);
            }), (Epoch: this, Reduced: reduced)).Value;

        public Wire.Cluster Definition(ClusterKey key) =>
            _definitions.GetOrAdd(key, static (key, epoch) => new Lazy<Wire.Cluster>(
                () => new ClusterSnapshotBuilder(epoch._services, epoch._settings).Definition(key)), this).Value;
    }
}

/// <summary>Whether a cluster is a known service's, and the locality setting its effective traffic policy has.</summary>
internal sealed record ClusterLocality(bool OfService, LocalityLoadBalancerSetting? Setting)
{
    private static readonly ClusterLocality NotAService = new(false, null);

    public static ClusterLocality Of(ClusterKey key, ServiceIndex services) =>
        services.Find(key.Host) is null
            ? NotAService
            : new ClusterLocality(true, TrafficPolicyMerger.Effective(key.Rule?.Spec, key.Subset.Length == 0 ? null : key.Subset, key.Port)?.LoadBalancer?.LocalityLbSetting);
}
