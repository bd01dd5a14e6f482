using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// Private keys travel only on the authenticated discovery stream to the proxy that uses them:
/// every other view of a snapshot (the admin API's proxy config, meshctl proxy-config) gets a copy
/// with them replaced, as Envoy's config_dump does.
/// </summary>
internal static class SnapshotRedaction
{
    public const string Redacted = "[redacted]";

    public static ProxySnapshot Redact(ProxySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var copy = snapshot.Clone();
        foreach (var server in copy.GatewayServers)
        {
            if (server.Tls is { PrivateKeyPem.Length: > 0 } tls)
            {
                tls.PrivateKeyPem = Redacted;
            }
        }

        foreach (var cluster in copy.Clusters)
        {
            if (cluster.Tls is { PrivateKeyPem.Length: > 0 } tls)
            {
                tls.PrivateKeyPem = Redacted;
            }
        }

        return copy;
    }
}
