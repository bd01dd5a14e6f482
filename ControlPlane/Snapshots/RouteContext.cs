using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// What building routes needs to know about the proxy and the virtual host being built:
/// who the proxy is (for sourceLabels / sourceNamespace / gateways matches), the port
/// (default destination port) and where referenced clusters are recorded.
/// </summary>
internal sealed class RouteContext
{
    public required Wire.Node Node { get; init; }

    public required string NodeNamespace { get; init; }

    /// <summary><c>ns/name</c> of the Gateway being served, or null for a sidecar (the <c>mesh</c> gateway).</summary>
    public string? GatewayKey { get; init; }

    /// <summary>The service port (sidecar) or gateway server port of the virtual host.</summary>
    public required uint Port { get; init; }

    public required ServiceIndex Services { get; init; }

    public required MeshSettings Settings { get; init; }

    /// <summary>Every (host, port, subset) a route sends or mirrors traffic to; clusters are built for each.</summary>
    public required SortedSet<(string Host, uint Port, string Subset)> ReferencedClusters { get; init; }

    /// <summary>True when a VirtualService <c>gateways</c> entry names this proxy's gateway (or <c>mesh</c> for sidecars).</summary>
    public bool IsBoundTo(IReadOnlyList<string> gateways, string configNamespace)
    {
        if (gateways.Count == 0)
        {
            return GatewayKey is null;
        }

        foreach (var gateway in gateways)
        {
            if (gateway == "mesh")
            {
                if (GatewayKey is null)
                {
                    return true;
                }

                continue;
            }

            if (GatewayKey is not null && GatewayKeyOf(gateway, configNamespace) == GatewayKey)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>name</c> (config namespace), <c>ns/name</c>, or the legacy <c>name.ns</c> form → <c>ns/name</c>.</summary>
    public static string GatewayKeyOf(string gateway, string configNamespace)
    {
        var slash = gateway.IndexOf('/');
        if (slash >= 0)
        {
            var ns = gateway[..slash];
            return $"{(ns == "." ? configNamespace : ns)}/{gateway[(slash + 1)..]}";
        }

        var dot = gateway.IndexOf('.');
        if (dot >= 0)
        {
            var rest = gateway[(dot + 1)..];
            var nsEnd = rest.IndexOf('.');
            return $"{(nsEnd < 0 ? rest : rest[..nsEnd])}/{gateway[..dot]}";
        }

        return $"{configNamespace}/{gateway}";
    }
}
