using System.Security.Cryptography;
using Google.Protobuf;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Builds the snapshot one proxy needs from the accepted config, the registry and mesh
/// settings. Pure: the same inputs give the same snapshot (every list is built in a
/// deterministic order; the version is a hash of the content).
/// </summary>
internal static class SnapshotBuilder
{
    public static ProxySnapshot Build(SnapshotInputs inputs, Node node)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(node);
        var settings = inputs.Settings;
        var model = inputs.Model;
        var nodeNamespace = string.IsNullOrEmpty(node.Namespace) ? settings.DefaultNamespace : node.Namespace;
        var services = inputs.Services;
        var contexts = new RouteContextFactory(node, nodeNamespace, services, settings);
        var rules = new DestinationRuleIndex(model, node, settings);
        var clusters = new ClusterSnapshotBuilder(services, rules, settings);

        var snapshot = new ProxySnapshot
        {
            Node = node.Clone(),
            TrustDomain = settings.TrustDomain,
            ConfigGeneration = model.Generation,
            Telemetry = TelemetrySnapshotBuilder.Build(model, node, nodeNamespace, settings),
        };
        snapshot.TrustBundlePem.AddRange(settings.TrustBundlePem);

        var wanted = contexts.ReferencedClusters;
        if (node.Mode == ProxyMode.Gateway)
        {
            GatewaySnapshotBuilder.Build(model, node, contexts, snapshot);
            KubernetesGatewaySnapshotBuilder.Build(inputs.GatewayApi, node, contexts, snapshot);

            // AuthorizationPolicy and RequestAuthentication select gateways too (istio: ingressgateway);
            // PeerAuthentication does not apply to a gateway's listeners.
            var policies = InboundPolicySnapshotBuilder.Build(model, node, nodeNamespace, settings);
            if (policies.Authorization.Count > 0 || policies.JwtRules.Count > 0)
            {
                policies.Mtls = MtlsMode.MtlsUnspecified;
                policies.PortMtls.Clear();
                snapshot.Inbound = policies;
            }
        }
        else
        {
            var scope = SidecarScope.For(model, node, nodeNamespace, settings);
            snapshot.OutboundTrafficPolicy = scope.OutboundTrafficPolicy;
            SidecarRoutesSnapshotBuilder.Build(model, inputs.GatewayApi, scope, contexts, snapshot);
            snapshot.Inbound = InboundPolicySnapshotBuilder.Build(model, node, nodeNamespace, settings);

            // Every visible service port has its default cluster and one per subset its DestinationRule defines.
            foreach (var service in services.VisibleFrom(nodeNamespace))
            {
                var subsets = rules.For(service)?.Spec.Subsets.Select(s => s.Name).OfType<string>().ToList() ?? [];
                foreach (var port in service.Ports.Where(p => p.Protocol != Protocol.Tcp && scope.Includes(service, p.Number)))
                {
                    wanted.Add((service.Hostname, port.Number, ""));
                    foreach (var subset in subsets)
                    {
                        wanted.Add((service.Hostname, port.Number, subset));
                    }
                }
            }
        }

        foreach (var (host, port, subset) in wanted)
        {
            snapshot.Clusters.Add(clusters.Build(host, port, subset.Length == 0 ? null : subset));
        }

        snapshot.Version = VersionOf(snapshot);
        return snapshot;
    }

    /// <summary>
    /// First 16 hex characters of the SHA-256 of the snapshot serialized without its version and
    /// config generation: a config change that does not alter what a proxy receives must not
    /// push it again.
    /// </summary>
    public static string VersionOf(ProxySnapshot snapshot)
    {
        var copy = snapshot.Clone();
        copy.Version = "";
        copy.ConfigGeneration = 0;
        var hash = SHA256.HashData(copy.ToByteArray());
        return Convert.ToHexStringLower(hash)[..16];
    }
}
