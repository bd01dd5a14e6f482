using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Builds the snapshot one proxy needs from the accepted config, the registry and mesh
/// settings. Pure: the same inputs give the same snapshot (every list is built in a
/// deterministic order; the version is a hash of the content). What proxies share — a sidecar's
/// outbound routes and clusters, every cluster — comes from the inputs' <see cref="SnapshotMemo"/>
/// and is built once per set of inputs, not once per proxy.
/// </summary>
internal static class SnapshotBuilder
{
    public static ProxySnapshot Build(SnapshotInputs inputs, Node node)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(node);
        var settings = inputs.Settings;
        var model = inputs.Model;
        var memo = inputs.Memo;
        var nodeNamespace = string.IsNullOrEmpty(node.Namespace) ? settings.DefaultNamespace : node.Namespace;
        var services = inputs.Services;

        var snapshot = new ProxySnapshot
        {
            Node = node.Clone(),
            TrustDomain = settings.TrustDomain,
            ConfigGeneration = model.Generation,
            Telemetry = memo.Policies.Telemetry(model, node, nodeNamespace, settings),
        };
        snapshot.TrustBundlePem.AddRange(settings.TrustBundlePem);

        if (node.Mode == ProxyMode.Gateway)
        {
            var contexts = new RouteContextFactory(node, nodeNamespace, services, settings);
            GatewaySnapshotBuilder.Build(model, node, contexts, snapshot);
            var autoPassthrough = L4GatewaySnapshotBuilder.Build(model, node, contexts, snapshot);
            KubernetesGatewaySnapshotBuilder.Build(inputs.GatewayApi, node, contexts, snapshot);

            // AuthorizationPolicy and RequestAuthentication select gateways too (istio: ingressgateway);
            // PeerAuthentication does not apply to a gateway's listeners.
            var policies = InboundPolicySnapshotBuilder.Build(model, node, nodeNamespace, settings); // changed below: not the shared piece
            if (policies.Authorization.Count > 0 || policies.JwtRules.Count > 0)
            {
                policies.Mtls = MtlsMode.MtlsUnspecified;
                policies.PortMtls.Clear();
                snapshot.Inbound = policies;
            }

            var rules = new DestinationRuleIndex(model, node, settings);
            var wanted = contexts.ReferencedClusters;
            if (autoPassthrough)
            {
                // AUTO_PASSTHROUGH routes by SNI to any service port and subset: the gateway needs them all.
                L4GatewaySnapshotBuilder.AddEveryServiceCluster(services.VisibleFrom(nodeNamespace), rules, wanted);
            }

            foreach (var (host, port, subset) in wanted)
            {
                snapshot.Clusters.Add(memo.Cluster(new ClusterKey(host, port, subset, services.Find(host) is { } service ? rules.For(service) : null)));
            }

            AddExtAuthzClusters(snapshot, inputs, node, rules);
        }
        else
        {
            var outbound = memo.Outbound(node, nodeNamespace);
            snapshot.OutboundTrafficPolicy = outbound.OutboundTrafficPolicy;
            snapshot.VirtualHosts.Add(outbound.VirtualHosts);
            snapshot.L4Listeners.Add(outbound.L4Listeners);
            if (node.TransparentCapture)
            {
                snapshot.ServiceAddresses.Add(outbound.ServiceAddresses);
            }

            snapshot.Inbound = memo.Policies.Inbound(model, node, nodeNamespace, settings);
            snapshot.Clusters.Add(outbound.Clusters);
            AddExtAuthzClusters(snapshot, inputs, node, new DestinationRuleIndex(model, node, settings));
        }

        ApplyLocalityLoadBalancing(snapshot, inputs, node);
        ApplyNetworks(snapshot, inputs, node);
        snapshot.Version = VersionOf(snapshot);
        return snapshot;
    }

    // Locality load balancing depends on where the proxy is: the shared clusters whose endpoints get
    // weights (distribute) or priorities (failover) for this proxy are copied (the others stay shared).
    // Which locality setting a cluster has is the memo's, worked out once per cluster and push from
    // the DestinationRule it was built with (the one this node's DestinationRuleIndex picks), not
    // looked up again for every cluster of every shape.
    private static void ApplyLocalityLoadBalancing(ProxySnapshot snapshot, SnapshotInputs inputs, Node node)
    {
        for (var i = 0; i < snapshot.Clusters.Count; i++)
        {
            var cluster = snapshot.Clusters[i];
            if (cluster.Endpoints.Count == 0 || inputs.Memo.LocalityOf(cluster) is not { OfService: true } locality)
            {
                continue;
            }

            var setting = locality.Setting;

            if (setting is { Enabled: not false, Distribute.Count: > 0 })
            {
                // Istio: distribute and failover exclude each other; distribute applies with or without outlier detection.
                var distributed = cluster.Clone();
                if (LocalityDistribution.Apply(distributed, Locality.FromLabels(node.Labels), setting.Distribute))
                {
                    snapshot.Clusters[i] = distributed;
                }

                continue;
            }

            if (cluster.OutlierDetection is null)
            {
                continue;
            }

            var copy = cluster.Clone();
            LocalityPriorities.Apply(copy, node, setting);
            if (copy.Endpoints.Any(e => e.Priority > 0))
            {
                snapshot.Clusters[i] = copy;
            }
        }
    }

    // Multi-network meshes (docs/vm.md §5): a proxy on a named network reaches the endpoints on
    // other networks through their networks' east-west gateways. An east-west gateway (a gateway
    // with an AUTO_PASSTHROUGH server) forwards only into its own network, never to another gateway.
    private static void ApplyNetworks(ProxySnapshot snapshot, SnapshotInputs inputs, Node node)
    {
        var gateways = inputs.Gateways;
        if (gateways.EndpointNetworks.IsEmpty)
        {
            return;
        }

        var network = NetworkTable.For(inputs.Model, inputs.Settings).Of(node.Labels, node.Address);
        if (network.Length == 0 || (gateways.EndpointNetworks.Count == 1 && gateways.EndpointNetworks.Contains(network)))
        {
            return;
        }

        var localOnly = node.Mode == ProxyMode.Gateway && snapshot.L4Listeners.Any(l => l.FilterChains.Any(c => c.AutoPassthrough));
        for (var i = 0; i < snapshot.Clusters.Count; i++)
        {
            if (NetworkEndpointFilter.HasRemote(snapshot.Clusters[i], network))
            {
                snapshot.Clusters[i] = inputs.Memo.NetworkView(snapshot.Clusters[i], network, localOnly);
            }
        }
    }

    // The ext_authz providers of the proxy's CUSTOM policies, with the clusters of their services
    // (whatever the proxy's Sidecar scope: Envoy's ext_authz filter names its cluster directly).
    private static void AddExtAuthzClusters(ProxySnapshot snapshot, SnapshotInputs inputs, Node node, DestinationRuleIndex rules)
    {
        if (snapshot.Inbound is null)
        {
            return;
        }

        if (snapshot.Inbound.Authorization.Any(p => p.Action == AuthorizationPolicy.Types.Action.Custom))
        {
            // The providers are added to this build's policy (they depend on the mesh config and the
            // services too): never to the piece the shapes share (NodePolicyPieces).
            snapshot.Inbound = snapshot.Inbound.Clone();
        }

        HashSet<string>? present = null; // most proxies have no ext_authz provider: no set of their cluster names then
        foreach (var (host, port) in ExtAuthzSnapshotBuilder.Build(inputs.Model.MeshConfig, snapshot.Inbound, inputs.Services))
        {
            var service = inputs.Services.Find(host);
            var cluster = inputs.Memo.Cluster(new ClusterKey(host, port, "", service is null ? null : rules.For(service)));
            present ??= snapshot.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            if (present.Add(cluster.Name))
            {
                snapshot.Clusters.Add(cluster);
            }
        }
    }

    /// <summary>
    /// The composite version of the snapshot's resources (<see cref="EncodedSnapshot"/>, its header
    /// fields aside): a config change that does not alter what a proxy receives must not push it
    /// again. The same version names the snapshot on both streams, and it costs one small hash
    /// over resource versions per shape — the resources every shape shares (clusters, virtual
    /// hosts) are hashed once per push, not once per shape as a hash of the whole content was.
    /// </summary>
    public static string VersionOf(ProxySnapshot snapshot) => EncodedSnapshot.Of(snapshot).Version;
}
