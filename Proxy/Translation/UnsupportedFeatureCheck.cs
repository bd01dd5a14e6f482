using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Translation;

/// <summary>
/// Snapshot features this proxy does not implement yet. A snapshot using one is rejected (NACK)
/// naming the field, rather than acknowledged and silently not enforced. Remove a check here
/// in the same change that implements the feature.
/// </summary>
public static class UnsupportedFeatureCheck
{
    public static void Check(ProxySnapshot snapshot, TranslationErrors errors)
    {
        for (var i = 0; i < snapshot.GatewayServers.Count; i++)
        {
            var server = snapshot.GatewayServers[i];
            var path = $"gateway_servers[{i}] ({server.Name})";
            if (server.Tls is { } tls && (tls.Mode != GatewayTls.Types.Mode.None || tls.HttpsRedirect))
            {
                errors.Add($"{path}.tls", "TLS termination and httpsRedirect are not supported by this gateway yet");
            }
            else if (server.Protocol is Protocol.Https or Protocol.Tcp)
            {
                errors.Add($"{path}.protocol", $"{server.Protocol} servers are not supported by this gateway yet");
            }
        }
    }
}
