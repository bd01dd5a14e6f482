using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.L4.Model;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.L4.Translation;

/// <summary>A snapshot filter chain in runtime form; problems are errors at the chain's field paths.</summary>
internal static class L4ChainTranslator
{
    public static L4FilterChain Translate(Wire.L4FilterChain chain, string path, IReadOnlyDictionary<string, L4Cluster> clusters, TranslationErrors errors)
    {
        var weighted = new List<L4WeightedCluster>();
        for (var i = 0; i < chain.Clusters.Count; i++)
        {
            var entry = chain.Clusters[i];
            if (clusters.TryGetValue(entry.Cluster, out var cluster))
            {
                weighted.Add(new L4WeightedCluster(cluster, (int)Math.Min(entry.Weight, int.MaxValue)));
            }
            else
            {
                errors.Add($"{path}.clusters[{i}]", $"references unknown cluster '{entry.Cluster}'");
            }
        }

        if (chain.Clusters.Count == 0 && !chain.AutoPassthrough)
        {
            errors.Add($"{path}.clusters", "a filter chain needs at least one cluster (or auto_passthrough)");
        }

        var sni = new List<SniPattern>();
        foreach (var host in chain.SniHosts)
        {
            var text = host.Trim().TrimEnd('.').ToLowerInvariant();
            if (text.Length == 0 || (text.Contains('*') && text != "*" && !(text.StartsWith("*.", StringComparison.Ordinal) && text.IndexOf('*', 1) < 0)))
            {
                errors.Add($"{path}.sni_hosts", $"'{host}' is not a server name, '*.suffix' or '*'");
                continue;
            }

            sni.Add(new SniPattern(text));
        }

        return new L4FilterChain
        {
            Name = chain.Name,
            VirtualService = string.IsNullOrEmpty(chain.VirtualService) ? null : chain.VirtualService,
            SniHosts = sni,
            DestinationSubnets = AddressSet.Parse(chain.DestinationSubnets, (_, message) => errors.Add($"{path}.destination_subnets", message)),
            SourceSubnet = chain.SourceSubnet.Length == 0 ? AddressSet.Empty : AddressSet.Parse([chain.SourceSubnet], (_, message) => errors.Add($"{path}.source_subnet", message)),
            Clusters = weighted,
            GatewayServer = string.IsNullOrEmpty(chain.GatewayServer) ? null : chain.GatewayServer,
            AutoPassthrough = chain.AutoPassthrough,
        };
    }
}
