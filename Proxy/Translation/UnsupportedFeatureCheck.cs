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
        for (var i = 0; i < snapshot.Clusters.Count; i++)
        {
            CheckCluster(snapshot.Clusters[i], $"clusters[{i}] ({snapshot.Clusters[i].Name})", errors);
        }

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

        if (snapshot.Inbound is { } inbound)
        {
            if (inbound.Mtls == MtlsMode.Strict || inbound.PortMtls.Values.Any(m => m == MtlsMode.Strict))
            {
                errors.Add("inbound.mtls", "STRICT mutual TLS is not enforced by this proxy yet");
            }

            if (inbound.Authorization.Count > 0)
            {
                errors.Add("inbound.authorization", "authorization policies are not enforced by this proxy yet");
            }

            if (inbound.JwtRules.Count > 0)
            {
                errors.Add("inbound.jwt_rules", "request authentication (JWT) is not enforced by this proxy yet");
            }
        }
    }

    private static void CheckCluster(Cluster cluster, string path, TranslationErrors errors)
    {
        if (cluster.Tls is { } tls && tls.Mode != UpstreamTls.Types.Mode.Disable)
        {
            errors.Add($"{path}.tls", $"upstream TLS ({tls.Mode}) is not supported by this proxy yet");
        }
    }
}
