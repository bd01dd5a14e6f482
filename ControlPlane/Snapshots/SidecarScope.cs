using System.Runtime.CompilerServices;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// What a sidecar sees: the Sidecar resource that applies to it (one selecting its workload in
/// its namespace, else its namespace's default, else the root namespace's default) limits the
/// visible services to its egress hosts (<c>ns/host</c>, <c>./host</c>, <c>*/host</c>, with
/// wildcards; the host part may be an FQDN or a registry short name), per egress port when set.
/// A host whose namespace starts with <c>~</c> is an exclusion (Istio 1.28+): a service is visible
/// through a listener when one of its hosts imports it and none excludes it; a bare <c>~</c>
/// namespace means every namespace, so <c>~/*</c> hides everything.
/// </summary>
internal sealed class SidecarScope
{
    // Which Sidecar applies to a node, per model: looked up by the node's labels, not by trying every
    // Sidecar of the mesh for every outbound part (one Sidecar per workload made that O(Sidecars²)
    // per push), and each Sidecar's scope (its egress hosts parsed once) shared by every part it applies to.
    private static readonly ConditionalWeakTable<MeshModel, Index> Indexes = [];

    private readonly IReadOnlyList<IstioEgressListener> _egress;
    private readonly EgressHost[][] _hosts;
    private readonly OutboundTrafficPolicyMode? _meshOutboundMode;

    private SidecarScope(ConfigResource<SidecarConfig>? sidecar, OutboundTrafficPolicyMode? meshOutboundMode)
    {
        Sidecar = sidecar;
        _egress = sidecar?.Spec.Egress ?? [];
        _hosts = [.. _egress.Select(l => l.Hosts.Select(h => EgressHost.Parse(h, sidecar!.Namespace)).ToArray())];
        _meshOutboundMode = meshOutboundMode;
    }

    public ConfigResource<SidecarConfig>? Sidecar { get; }

    /// <summary>
    /// Istio's rule: the Sidecar resource's <c>outboundTrafficPolicy</c> when it sets one (its
    /// <c>mode</c> unset is the proto's zero value, REGISTRY_ONLY), else the mesh config's
    /// (<c>data.mesh.outboundTrafficPolicy</c>), else ALLOW_ANY.
    /// </summary>
    public Wire.OutboundTrafficPolicy OutboundTrafficPolicy
    {
        get
        {
            var mode = Sidecar?.Spec.OutboundTrafficPolicy is { } own ? own.Mode ?? OutboundTrafficPolicyMode.RegistryOnly
                : _meshOutboundMode ?? OutboundTrafficPolicyMode.AllowAny;
            return new()
            {
                Mode = mode == OutboundTrafficPolicyMode.RegistryOnly ? Wire.OutboundTrafficPolicy.Types.Mode.RegistryOnly : Wire.OutboundTrafficPolicy.Types.Mode.AllowAny,
            };
        }
    }

    /// <summary>
    /// The scope of the Sidecar that applies to the node: the first (in the model's order) of its
    /// namespace whose workload selector matches it, else its namespace's first without a selector,
    /// else the root namespace's first without a selector, else none.
    /// </summary>
    public static SidecarScope For(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings) =>
        Indexes.GetValue(model, static m => new Index(m)).For(node, nodeNamespace, settings.RootNamespace);

    /// <summary>
    /// The services this scope may let a sidecar of <paramref name="nodeNamespace"/> see, in the
    /// index's order — a superset: callers still ask <see cref="Includes"/> per port. When every
    /// importing egress host names its host without a wildcard, these are the services those
    /// names find (a lookup each); otherwise every service visible from the namespace. With one
    /// Sidecar per workload, a pass over every service of the mesh per scope made each push
    /// O(scopes × services) (250 × 250 at 5,000 proxies) however few services a scope imports.
    /// </summary>
    public IEnumerable<ServiceModel> Candidates(ServiceIndex services, string nodeNamespace)
    {
        if (_egress.Count == 0)
        {
            return services.VisibleFrom(nodeNamespace);
        }

        var found = new HashSet<ServiceModel>(ReferenceEqualityComparer.Instance);
        foreach (var host in _egress.SelectMany(l => l.Hosts).Where(h => !h.StartsWith('~')))
        {
            var name = host[(host.IndexOf('/') + 1)..];
            if (name.Contains('*'))
            {
                return services.VisibleFrom(nodeNamespace);
            }

            found.UnionWith(services.Named(name));
        }

        return found.Where(s => ServiceIndex.IsVisibleFrom(s, nodeNamespace)).OrderBy(services.PositionOf);
    }

    /// <summary>True when the service port is visible (always, without a Sidecar resource or egress listeners).</summary>
    public bool Includes(ServiceModel service, uint port)
    {
        if (_egress.Count == 0)
        {
            return true;
        }

        for (var i = 0; i < _egress.Count; i++)
        {
            if (_egress[i].Port?.Number is { } listenerPort && listenerPort != port)
            {
                continue;
            }

            var hosts = _hosts[i];
            if (hosts.Any(h => !h.Excludes && h.Matches(service)) && !hosts.Any(h => h.Excludes && h.Matches(service)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One egress host, parsed once: <c>[~]ns/host</c> (<c>.</c> already the Sidecar's namespace; no namespace: any).</summary>
    private sealed record EgressHost(bool Excludes, string Namespace, string Host)
    {
        public static EgressHost Parse(string text, string sidecarNamespace)
        {
            var excludes = text.StartsWith('~');
            var egressHost = excludes ? text[1..] : text;
            var slash = egressHost.IndexOf('/');
            var ns = slash <= 0 ? "*" : egressHost[..slash];
            return new EgressHost(excludes, ns == "." ? sidecarNamespace : ns, slash < 0 ? egressHost : egressHost[(slash + 1)..]);
        }

        public bool Matches(ServiceModel service) =>
            (Namespace == "*" || Namespace == service.Namespace)
            && (HostNames.Covers(Host, service.Hostname) || (service.ShortName is { } shortName && !Host.Contains('.') && HostNames.Covers(Host, shortName)));
    }

    /// <summary>The Sidecars of one model by namespace, those with a workload selector also by each label they require.</summary>
    private sealed class Index
    {
        private readonly OutboundTrafficPolicyMode? _meshOutboundMode;
        private readonly Dictionary<string, SidecarScope> _namespaceDefaults = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Namespace, string Key, string Value), List<(int Order, ConfigResource<SidecarConfig> Sidecar)>> _byLabel = [];
        private readonly Dictionary<ConfigResource<SidecarConfig>, SidecarScope> _scopes = new(ReferenceEqualityComparer.Instance);
        private readonly SidecarScope _none;

        public Index(MeshModel model)
        {
            _meshOutboundMode = model.MeshConfig.OutboundTrafficPolicy?.Mode;
            _none = new SidecarScope(null, _meshOutboundMode);
            for (var order = 0; order < model.Sidecars.Length; order++)
            {
                var sidecar = model.Sidecars[order];
                var scope = new SidecarScope(sidecar, _meshOutboundMode);
                _scopes[sidecar] = scope;
                if (sidecar.Spec.WorkloadSelector is not { Labels.Count: > 0 } selector)
                {
                    _namespaceDefaults.TryAdd(sidecar.Namespace, scope);
                    continue;
                }

                foreach (var (key, value) in selector.Labels)
                {
                    var entry = (sidecar.Namespace, key, value);
                    if (!_byLabel.TryGetValue(entry, out var list))
                    {
                        _byLabel[entry] = list = [];
                    }

                    list.Add((order, sidecar));
                }
            }
        }

        public SidecarScope For(Wire.Node node, string nodeNamespace, string rootNamespace)
        {
            // A selector requires all its labels, so each one that matches is found under any of them.
            (int Order, ConfigResource<SidecarConfig> Sidecar)? selected = null;
            foreach (var label in node.Labels)
            {
                if (!_byLabel.TryGetValue((nodeNamespace, label.Key, label.Value), out var candidates))
                {
                    continue;
                }

                foreach (var candidate in candidates)
                {
                    if ((selected is null || candidate.Order < selected.Value.Order) && candidate.Sidecar.Spec.WorkloadSelector!.Matches(node.Labels))
                    {
                        selected = candidate;
                    }
                }
            }

            return selected is { } found ? _scopes[found.Sidecar]
                : _namespaceDefaults.GetValueOrDefault(nodeNamespace) ?? _namespaceDefaults.GetValueOrDefault(rootNamespace) ?? _none;
        }
    }
}
