using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Filter chains from VirtualService <c>tcp</c> and <c>tls</c> rules for one proxy and port: match
/// blocks whose <c>sourceLabels</c>, <c>sourceNamespace</c>, <c>gateways</c> or <c>port</c> do not
/// apply to it are dropped (a rule left without a match is dropped); each remaining match block
/// becomes one chain (its <c>destinationSubnets</c>, <c>sourceSubnet</c> and, for TLS,
/// <c>sniHosts</c>) with the rule's weighted destinations. Rules keep their written order.
/// </summary>
internal static class L4RouteSnapshotBuilder
{
    /// <summary>The chains of a VirtualService's <c>tcp</c> rules.</summary>
    public static IEnumerable<Wire.L4FilterChain> TcpChains(ConfigResource<VirtualServiceConfig> virtualService, RouteContext context, string? gatewayServer)
    {
        var rules = virtualService.Spec.Tcp;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var name = $"{virtualService.QualifiedName}/tcp[{i}]";
            var matches = rule.Match.Where(m => Applies(m.SourceLabels, m.SourceNamespace, m.Gateways, m.Port, virtualService.Namespace, context)).ToList();
            if (rule.Match.Count > 0 && matches.Count == 0)
            {
                continue;
            }

            var clusters = Clusters(rule.Route, virtualService.Namespace, context);
            if (matches.Count == 0)
            {
                yield return Chain(name, virtualService, gatewayServer, clusters);
                continue;
            }

            foreach (var match in matches)
            {
                var chain = Chain(name, virtualService, gatewayServer, clusters);
                chain.DestinationSubnets.AddRange(match.DestinationSubnets);
                chain.SourceSubnet = match.SourceSubnet ?? "";
                yield return chain;
            }
        }
    }

    /// <summary>
    /// The chains of a VirtualService's <c>tls</c> rules; <paramref name="serverHosts"/> (a gateway
    /// server's hosts) narrows each SNI host to what the server admits, dropping the others.
    /// </summary>
    public static IEnumerable<Wire.L4FilterChain> TlsChains(ConfigResource<VirtualServiceConfig> virtualService, RouteContext context, string? gatewayServer, IReadOnlyList<string>? serverHosts)
    {
        var rules = virtualService.Spec.Tls;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var name = $"{virtualService.QualifiedName}/tls[{i}]";
            var clusters = Clusters(rule.Route, virtualService.Namespace, context);
            foreach (var match in rule.Match.Where(m => Applies(m.SourceLabels, m.SourceNamespace, m.Gateways, m.Port, virtualService.Namespace, context)))
            {
                var sniHosts = serverHosts is null
                    ? match.SniHosts.Select(h => h.ToLowerInvariant()).ToList()
                    : [.. match.SniHosts.SelectMany(h => serverHosts.Select(s => HostNames.Intersect(s.ToLowerInvariant(), h.ToLowerInvariant()))).OfType<string>().Distinct(StringComparer.Ordinal)];
                if (sniHosts.Count == 0)
                {
                    continue;
                }

                var chain = Chain(name, virtualService, gatewayServer, clusters);
                chain.SniHosts.AddRange(sniHosts);
                chain.DestinationSubnets.AddRange(match.DestinationSubnets);
                yield return chain;
            }
        }
    }

    /// <summary>A chain to a service's own cluster (the default when no rule takes every connection).</summary>
    public static Wire.L4FilterChain Default(string hostname, uint port, RouteContext context, IEnumerable<string> sniHosts)
    {
        context.ReferencedClusters.Add((hostname, port, ""));
        var chain = new Wire.L4FilterChain { Name = "default" };
        chain.SniHosts.AddRange(sniHosts);
        chain.Clusters.Add(new Wire.WeightedCluster { Cluster = HostNames.ClusterName(port, null, hostname), Weight = 100 });
        return chain;
    }

    /// <summary>True when a chain takes every connection that reaches it (no destination, source or SNI condition).</summary>
    public static bool IsUnconditional(Wire.L4FilterChain chain) =>
        chain.DestinationSubnets.Count == 0 && chain.SourceSubnet.Length == 0 && (chain.SniHosts.Count == 0 || chain.SniHosts.Contains("*"));

    private static Wire.L4FilterChain Chain(string name, ConfigResource<VirtualServiceConfig> virtualService, string? gatewayServer, IReadOnlyList<Wire.WeightedCluster> clusters)
    {
        var chain = new Wire.L4FilterChain
        {
            Name = name,
            VirtualService = virtualService.QualifiedName,
            GatewayServer = gatewayServer ?? "",
        };
        chain.Clusters.AddRange(clusters.Select(c => c.Clone()));
        return chain;
    }

    private static List<Wire.WeightedCluster> Clusters(ValueList<RouteDestination> route, string ns, RouteContext context)
    {
        var weights = RouteSnapshotBuilder.Normalize([.. route.Select(d => d.Weight ?? 0)]);
        var clusters = new List<Wire.WeightedCluster>(route.Count);
        for (var i = 0; i < route.Count; i++)
        {
            if (route[i].Destination is { } destination)
            {
                clusters.Add(new Wire.WeightedCluster { Cluster = RouteSnapshotBuilder.Reference(destination, ns, context), Weight = weights[i] });
            }
        }

        return clusters;
    }

    private static bool Applies(ValueMap<string> sourceLabels, string? sourceNamespace, ValueList<string> gateways, uint? port, string vsNamespace, RouteContext context)
    {
        if (!sourceLabels.All(l => context.Node.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
        {
            return false;
        }

        if (sourceNamespace is { } ns && ns != context.NodeNamespace)
        {
            return false;
        }

        if (port is { } matchPort && matchPort != context.Port)
        {
            return false;
        }

        return gateways.Count == 0 || context.IsBoundTo(gateways, vsNamespace);
    }
}
