namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Istio's host naming: short names in config resolve relative to the config object's
/// namespace (<c>reviews</c> in <c>default</c> → <c>reviews.default.svc.cluster.local</c>),
/// wildcards match by suffix.
/// </summary>
internal static class HostNames
{
    /// <summary>Resolves a host written in a config object of <paramref name="configNamespace"/>.</summary>
    public static string Resolve(string host, string configNamespace, string domainSuffix)
    {
        if (host.Contains('.') || host == "*" || host.StartsWith('*'))
        {
            return host.ToLowerInvariant();
        }

        return $"{host}.{configNamespace}.svc.{domainSuffix}".ToLowerInvariant();
    }

    /// <summary>True when a (possibly wildcard) pattern covers the host (Istio's <c>host.Name.Matches</c> one way).</summary>
    public static bool Covers(string pattern, string host)
    {
        if (pattern == "*")
        {
            return true;
        }

        if (pattern.StartsWith('*'))
        {
            var suffix = pattern[1..];
            return host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && host.Length > suffix.Length
                || (host.StartsWith('*') && host[1..].EndsWith(suffix, StringComparison.OrdinalIgnoreCase));
        }

        return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when either name covers the other (they can address the same host).</summary>
    public static bool Overlap(string a, string b) => Covers(a, b) || Covers(b, a);

    /// <summary>
    /// The narrower of two overlapping names (the intersection of a Gateway server host and a
    /// VirtualService host): <c>*</c> ∩ <c>a.com</c> = <c>a.com</c>; null when they do not overlap.
    /// </summary>
    public static string? Intersect(string a, string b) =>
        Covers(a, b) ? b : Covers(b, a) ? a : null;

    /// <summary>The SPIFFE identity of a workload's service account.</summary>
    public static string SpiffeId(string trustDomain, string ns, string serviceAccount) =>
        $"spiffe://{trustDomain}/ns/{ns}/sa/{(string.IsNullOrEmpty(serviceAccount) ? "default" : serviceAccount)}";

    /// <summary>Istio's cluster name <c>outbound|port|subset|host</c>.</summary>
    public static string ClusterName(uint port, string? subset, string hostname) => $"outbound|{port}|{subset}|{hostname}";

    /// <summary>Whether an object with <paramref name="exportTo"/> in <paramref name="configNamespace"/> is visible from <paramref name="viewerNamespace"/>.</summary>
    public static bool IsVisible(IReadOnlyCollection<string> exportTo, string configNamespace, string viewerNamespace) =>
        exportTo.Count == 0
        || exportTo.Contains("*")
        || exportTo.Contains(viewerNamespace)
        || (exportTo.Contains(".") && configNamespace == viewerNamespace);
}
