using System.Collections.Frozen;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.Upstream;
using Microsoft.Extensions.Options;
using L4Listener = Mesh.Contracts.Snapshots.L4Listener;
using ProxySnapshot = Mesh.Contracts.Snapshots.ProxySnapshot;

namespace Mesh.Proxy.L4.Translation;

/// <summary>
/// The L4 feature's share of snapshot translation: <c>l4_listeners</c> and the clusters their chains
/// name (every cluster when a gateway has an AUTO_PASSTHROUGH server) into an <see cref="L4Model"/>,
/// and for each TCP/TLS listener of the proxy how its connections are routed. A chain naming an
/// unknown cluster, an unparsable address or unusable TLS material rejects the snapshot.
/// </summary>
internal sealed class L4Translator(IOptions<MeshProxyOptions> options, L4ClusterStates states) : IFeatureTranslator
{
    public IReadOnlyCollection<string> SnapshotFields { get; } = ["l4_listeners"];

    public FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors) => new Translation(snapshot, errors, options.Value, states);

    private sealed class Translation(ProxySnapshot snapshot, TranslationErrors errors, MeshProxyOptions options, L4ClusterStates states) : FeatureTranslation
    {
        private L4Model? _model;

        public override void TranslateListeners(ListenerTranslation listeners)
        {
            var clusters = Clusters();
            var chains = new List<(L4Listener Source, L4FilterChain[] Chains)>();
            for (var i = 0; i < snapshot.L4Listeners.Count; i++)
            {
                var listener = snapshot.L4Listeners[i];
                var path = $"l4_listeners[{i}] ({listener.Name})";
                if (listener.Port is 0 or > 65535)
                {
                    errors.Add($"{path}.port", $"must be 1-65535 (got {listener.Port})");
                    continue;
                }

                chains.Add((listener, [.. listener.FilterChains.Select((c, j) => L4ChainTranslator.Translate(c, $"{path}.filter_chains[{j}] ({c.Name})", clusters, errors))]));
            }

            var routing = L4ListenerRoutingBuilder.Build(listeners.Listeners, options, snapshot, chains, clusters, states);
            var byServer = chains
                .SelectMany(l => l.Chains)
                .Where(c => c.GatewayServer is not null)
                .GroupBy(c => c.GatewayServer!, StringComparer.Ordinal)
                .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
            _model = new L4Model(routing, byServer, clusters.ToFrozenDictionary(StringComparer.Ordinal));
        }

        public override void OnTranslated(SnapshotTranslation translated)
        {
            var model = _model ?? L4Model.Empty;
            states.Retain(model.Clusters.Keys.Concat(model.Listeners.OfType<L4ListenerRouting>().Select(r => r.App?.Name).OfType<string>()).ToHashSet(StringComparer.Ordinal));
            translated.SetModel(model);
        }

        private Dictionary<string, L4Cluster> Clusters()
        {
            // Only what L4 chains can reach: their clusters, or all of them for AUTO_PASSTHROUGH.
            var referenced = snapshot.L4Listeners.SelectMany(l => l.FilterChains).SelectMany(c => c.Clusters).Select(c => c.Cluster).ToHashSet(StringComparer.Ordinal);
            var everything = snapshot.L4Listeners.SelectMany(l => l.FilterChains).Any(c => c.AutoPassthrough);
            var meshHasCa = snapshot.TrustBundlePem.Count > 0;
            var result = new Dictionary<string, L4Cluster>(StringComparer.Ordinal);
            for (var i = 0; i < snapshot.Clusters.Count; i++)
            {
                var cluster = snapshot.Clusters[i];
                if ((everything || referenced.Contains(cluster.Name)) && !result.ContainsKey(cluster.Name)
                    && L4ClusterTranslator.Translate(cluster, $"clusters[{i}] ({cluster.Name})", errors, meshHasCa, states) is { } translated)
                {
                    result[cluster.Name] = translated;
                }
            }

            return result;
        }
    }
}
