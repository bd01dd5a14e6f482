using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// The gateway feature's share of snapshot translation: the Gateway servers
/// (<see cref="GatewayServerTranslator"/>) as the snapshot's <see cref="GatewayModel"/>, require_tls
/// on the virtual hosts of httpsRedirect servers, and — in gateway mode — the routes of the gateway
/// listeners (<see cref="GatewayRoutesBuilder"/>).
/// </summary>
internal sealed class GatewayTranslator : IFeatureTranslator
{
    public IReadOnlyCollection<string> SnapshotFields { get; } = ["gateway_servers"];

    public FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors) => new SnapshotPart(GatewayServerTranslator.Translate(snapshot, errors));

    private sealed class SnapshotPart(GatewayModel gateway) : FeatureTranslation
    {
        public override void TranslateVirtualHost(VirtualHostTranslation virtualHost)
            => virtualHost.RequireTls = gateway.Find(virtualHost.Source.GatewayServer) is { HttpsRedirect: true };

        public override void TranslateListeners(ListenerTranslation listeners)
        {
            if (listeners.Mode == MeshProxyMode.Gateway)
            {
                GatewayRoutesBuilder.Build(listeners, gateway);
            }
        }

        public override void OnTranslated(SnapshotTranslation snapshot) => snapshot.SetModel(gateway);
    }
}
