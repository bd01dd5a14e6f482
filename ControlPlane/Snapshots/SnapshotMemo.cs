using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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
/// churn rebuilds endpoint lists and nothing else. A cluster whose definition and endpoints did
/// not change is the preceding inputs' object itself, so only the clusters a change touched are
/// encoded again (<see cref="EncodedSnapshot"/>). Only the immediately preceding inputs are
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

    // The definition each cluster was built from (a cluster is its definition with endpoints).
    private static readonly ConditionalWeakTable<Wire.Cluster, Wire.Cluster> DefinitionOf = [];

    // The clusters the preceding inputs' memo built, by name: one whose definition and endpoints are
    // what these inputs give is taken as it is (the same object: encoded and hashed once), so an
    // endpoint change re-encodes only the clusters it changed and a routing change none. Built from
    // its dictionary, not the memo, so no chain of old memos stays reachable.
    private readonly Lazy<ILookup<string, Wire.Cluster>>? _previousClusters;
    private long _reusedClusters;

    private SnapshotMemo(SnapshotInputs inputs, RouteEpoch epoch, SnapshotMemo? previous)
    {
        _inputs = inputs;
        _epoch = epoch;
        Policies = new NodePolicyPieces(previous?.Policies);
        if (previous?._clusters is { } clusters)
        {
            _previousClusters = new Lazy<ILookup<string, Wire.Cluster>>(() =>
                clusters.Values.Where(c => c.IsValueCreated).Select(c => c.Value).ToLookup(c => c.Name, StringComparer.Ordinal));
        }
    }

    /// <summary>Each proxy's telemetry settings and inbound policy, shared by the shapes the same resources select.</summary>
    public NodePolicyPieces Policies { get; }

    /// <summary>True when this memo reuses the routes and cluster definitions of the previous inputs.</summary>
    public bool CarriedOver { get; private init; }

    /// <summary>Outbound route parts built since the routes were last rebuilt from scratch (diagnostics and tests).</summary>
    public long EpochRouteBuilds => _epoch.Builds;

    /// <summary>Outbound virtual hosts and L4 listeners built since the routes were last rebuilt (<see cref="OutboundPieces"/>; diagnostics and tests).</summary>
    public long EpochPieceBuilds => _epoch.PieceBuilds;

    /// <summary>The memo for <paramref name="inputs"/>, continuing <paramref name="previous"/>'s routes when only endpoints changed.</summary>
    public static SnapshotMemo Create(SnapshotInputs inputs, SnapshotMemo? previous)
    {
        if (previous is not null && previous._epoch.StillValidFor(inputs))
        {
            return new SnapshotMemo(inputs, previous._epoch, previous) { CarriedOver = true };
        }

        return new SnapshotMemo(inputs, new RouteEpoch(inputs), previous);
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

    /// <summary>
    /// A cluster: its definition (carried over while the configuration stays) with these inputs'
    /// endpoints — the preceding inputs' cluster object itself when neither changed.
    /// </summary>
    public Wire.Cluster Cluster(ClusterKey key) =>
        _clusters.GetOrAdd(key, static (key, memo) => new Lazy<Wire.Cluster>(() =>
        {
            var definition = memo._epoch.Definition(key);
            var endpoints = new ClusterSnapshotBuilder(memo._inputs.Services, memo._inputs.Settings).Endpoints(key);
            var cluster = memo.Previous(definition, endpoints);
            if (cluster is not null)
            {
                Interlocked.Increment(ref memo._reusedClusters);
            }
            else
            {
                cluster = definition.Clone(); // a definition is small: it has no endpoints
                cluster.Endpoints.Add(endpoints);
                DefinitionOf.AddOrUpdate(cluster, definition);
            }

            memo._localities[cluster] = ClusterLocality.Of(key, memo._inputs.Services);
            return cluster;
        }), this).Value;

    /// <summary>Clusters taken as they were from the preceding inputs (diagnostics and tests).</summary>
    public long ReusedClusters => Interlocked.Read(ref _reusedClusters);

    private Wire.Cluster? Previous(Wire.Cluster definition, ImmutableArray<Wire.Endpoint> endpoints)
    {
        if (_previousClusters is null)
        {
            return null;
        }

        foreach (var previous in _previousClusters.Value[definition.Name])
        {
            // Two keys of one name (different rules, same content) do not share one object: each
            // cluster object has one locality setting in a memo.
            if (DefinitionOf.TryGetValue(previous, out var previousDefinition) && previousDefinition.Equals(definition) && SameEndpoints(previous, endpoints)
                && _localities.TryAdd(previous, ClusterLocality.Unknown))
            {
                return previous;
            }
        }

        return null;
    }

    private static bool SameEndpoints(Wire.Cluster cluster, ImmutableArray<Wire.Endpoint> endpoints)
    {
        if (cluster.Endpoints.Count != endpoints.Length)
        {
            return false;
        }

        for (var i = 0; i < endpoints.Length; i++)
        {
            if (!cluster.Endpoints[i].Equals(endpoints[i]))
            {
                return false;
            }
        }

        return true;
    }

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
        // Virtual hosts and L4 listeners shared by the outbound parts; like mesh routes (GAMMA), which
        // they include, they depend on the model and the service definitions only, as this epoch does.
        private readonly OutboundPieces _pieces;
        private readonly ImmutableArray<LabelRequirement> _selectors;
        private readonly ImmutableArray<string> _selectorLabelKeys;
        private readonly Dictionary<(string Key, string Value), int[]> _selectorsByLabel;
        private readonly ConcurrentDictionary<string, Lazy<OutboundRoutes>> _routes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<ClusterKey, Lazy<Wire.Cluster>> _definitions = new();
        private long _builds;

        public RouteEpoch(SnapshotInputs inputs)
        {
            _model = inputs.Model;
            _settings = inputs.Settings;
            _services = inputs.Services;
            _pieces = new OutboundPieces(_model, _services, _settings, inputs.GatewayApi);
            _selectors = SidecarOutboundSnapshotBuilder.Selectors(_model);
            _selectorLabelKeys = [.. _selectors.SelectMany(s => s.Labels).Select(l => l.Key).Distinct(StringComparer.Ordinal)];
            _selectorsByLabel = _selectors
                .SelectMany((s, i) => s.Labels.Select(l => (Label: (l.Key, l.Value), Index: i)))
                .GroupBy(e => e.Label)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Index).Distinct().ToArray());
        }

        public bool StillValidFor(SnapshotInputs inputs) =>
            ReferenceEquals(inputs.Model, _model)
            && ReferenceEquals(inputs.Settings, _settings)
            && inputs.Services.SameDefinitions(_services);

        public long Builds => Interlocked.Read(ref _builds);

        public long PieceBuilds => _pieces.Builds;

        /// <summary>What the outbound part depends on: the namespace and which selectors match the node.</summary>
        public string KeyOf(Wire.Node node, string nodeNamespace)
        {
            if (_selectors.IsEmpty)
            {
                return nodeNamespace;
            }

            // Only the selectors that require one of the node's labels can match it (with one Sidecar
            // per workload, most of hundreds of selectors name another app): found by label, not tried.
            var matches = new string('0', _selectors.Length).ToCharArray();
            foreach (var label in node.Labels)
            {
                if (_selectorsByLabel.TryGetValue((label.Key, label.Value), out var candidates))
                {
                    foreach (var i in candidates)
                    {
                        matches[i] = _selectors[i].Matches(node.Labels) ? '1' : '0';
                    }
                }
            }

            return $"{nodeNamespace}\n{new string(matches)}";
        }

        /// <summary>The node as the outbound part sees it: its namespace and the labels the selectors name (so nothing else can leak into a shared part).</summary>
        public Wire.Node Reduce(Wire.Node node, string nodeNamespace)
        {
            var reduced = new Wire.Node { Namespace = nodeNamespace, Mode = Wire.ProxyMode.Sidecar };
            foreach (var key in _selectorLabelKeys)
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
                return SidecarOutboundSnapshotBuilder.Build(state.Epoch._model, state.Epoch._services, state.Epoch._settings, state.Epoch._pieces, state.Reduced);
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

    /// <summary>A cluster claimed by a memo whose setting is being worked out.</summary>
    internal static readonly ClusterLocality Unknown = new(false, null);

    public static ClusterLocality Of(ClusterKey key, ServiceIndex services) =>
        services.Find(key.Host) is null
            ? NotAService
            : new ClusterLocality(true, TrafficPolicyMerger.Effective(key.Rule?.Spec, key.Subset.Length == 0 ? null : key.Subset, key.Port)?.LoadBalancer?.LocalityLbSetting);
}
