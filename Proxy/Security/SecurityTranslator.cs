using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Security.Policy;
using Mesh.Proxy.Security.Tls;

namespace Mesh.Proxy.Security;

/// <summary>
/// The security feature's share of snapshot translation: the inbound policy (mTLS modes per
/// listener, authorization, JWT rules) as the snapshot's <see cref="InboundSecurityModel"/>, and each
/// cluster's upstream TLS (DestinationRule tls, auto mTLS): https destinations, the client settings
/// in the cluster metadata, HTTP/2 by ALPN for mesh mTLS.
/// </summary>
internal sealed class SecurityTranslator(ListenerSet listeners) : IFeatureTranslator
{
    public IReadOnlyCollection<string> SnapshotFields { get; } = ["trust_domain", "trust_bundle_pem", "inbound"];

    public FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors)
        => new SnapshotPart(snapshot, InboundSecurityTranslator.Translate(snapshot, listeners, errors));

    private sealed class SnapshotPart(ProxySnapshot snapshot, InboundSecurityModel inbound) : FeatureTranslation
    {
        public override void TranslateCluster(ClusterTranslation cluster)
        {
            if (!cluster.HasYarpCluster)
            {
                // Passthrough is forwarded to whatever the caller asked for, as plaintext; TCP/TLS
                // clusters are dialled by the L4 feature, which originates their TLS itself.
                return;
            }

            var plan = UpstreamTlsPlan.For(cluster.Source, meshHasCa: snapshot.TrustBundlePem.Count > 0, cluster.Path, cluster.Errors);
            if (!plan.UsesTls)
            {
                return;
            }

            cluster.TlsEndpoints = plan.UsesTlsFor;
            plan.AddMetadata(cluster.Metadata);
            cluster.RequestConfig = plan.RequestConfig(cluster.Protocol, cluster.RequestConfig, cluster.Source.ConnectionPool?.H2UpgradePolicy ?? H2UpgradePolicy.H2UpgradeDefault);
        }

        public override void OnTranslated(SnapshotTranslation translated) => translated.SetModel(inbound.Bind(translated.Clusters));
    }
}
