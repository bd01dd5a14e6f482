namespace Mesh.Proxy.L4.Routing;

/// <summary>
/// Istio's SNI for AUTO_PASSTHROUGH (and for mesh mTLS between sidecars):
/// <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;service FQDN&gt;</c>, naming the cluster
/// <c>outbound|&lt;port&gt;|&lt;subset&gt;|&lt;service FQDN&gt;</c>.
/// </summary>
internal static class AutoPassthroughSni
{
    public static string Format(int port, string? subset, string service) => $"outbound_.{port}_.{subset}_.{service}";

    public static bool TryParse(string? sni, out string clusterName, out string service)
    {
        clusterName = "";
        service = "";
        if (sni is null || !sni.StartsWith("outbound_.", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parts = sni.Split("_.", 4);
        if (parts.Length != 4 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535 || parts[3].Length == 0)
        {
            return false;
        }

        service = parts[3].ToLowerInvariant();
        clusterName = $"outbound|{port}|{parts[2]}|{service}";
        return true;
    }
}
