using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Istio's locality failover for one proxy and one cluster: each endpoint's priority relative to
/// the proxy. Applies only when the cluster has outlier detection (Istio's rule: without it an
/// ejected endpoint is never noticed, so failover would never happen) and the DestinationRule's
/// <c>localityLbSetting</c> is absent or enabled, as Istio enables locality load balancing by default.
/// <list type="bullet">
/// <item>Locality (no <c>failoverPriority</c>): 0 same region, zone and subzone; 1 same region and zone;
/// 2 same region; 3 another region — or, when a <c>failover</c> entry is <c>from</c> the proxy's region,
/// 3 for its <c>to</c> region and 4 for every other.</item>
/// <item><c>failoverPriority</c>: labels in order (<c>label</c> or <c>label=value</c>); an endpoint
/// matching the proxy on the first n labels gets priority (count − n); locality breaks ties.</item>
/// </list>
/// </summary>
internal static class LocalityPriorities
{
    private const int LocalityLevels = 5;

    public static void Apply(Wire.Cluster cluster, Wire.Node node, LocalityLoadBalancerSetting? setting)
    {
        if (cluster.OutlierDetection is null || setting?.Enabled == false || cluster.Endpoints.Count == 0)
        {
            return;
        }

        var proxy = Locality.FromLabels(node.Labels);
        var labels = setting?.FailoverPriority ?? [];
        if (proxy.IsEmpty && labels.Count == 0)
        {
            return; // a proxy without locality has no "near"
        }

        var failoverTo = setting?.Failover.FirstOrDefault(f => f.From == proxy.Region)?.To;
        foreach (var endpoint in cluster.Endpoints)
        {
            var locality = Locality.Parse(endpoint.Locality);
            var byLocality = proxy.IsEmpty ? 0 : ByLocality(proxy, locality, failoverTo, setting?.Failover.Any(f => f.From == proxy.Region) == true);
            endpoint.Priority = (uint)(labels.Count == 0 ? byLocality : (ByLabels(labels, node, proxy, endpoint, locality) * LocalityLevels) + byLocality);
        }
    }

    private static int ByLocality(Locality proxy, Locality endpoint, string? failoverTo, bool hasFailover) =>
        endpoint.Region != proxy.Region ? (!hasFailover ? 3 : endpoint.Region == failoverTo ? 3 : 4)
        : endpoint.Zone != proxy.Zone ? 2
        : endpoint.Subzone != proxy.Subzone ? 1
        : 0;

    private static int ByLabels(IReadOnlyList<string> labels, Wire.Node node, Locality proxy, Wire.Endpoint endpoint, Locality locality)
    {
        var matched = 0;
        foreach (var entry in labels)
        {
            var equals = entry.IndexOf('=');
            var key = equals < 0 ? entry : entry[..equals];
            var wanted = equals < 0 ? proxy.Label(key) ?? node.Labels.GetValueOrDefault(key) : entry[(equals + 1)..];
            var actual = locality.Label(key) ?? endpoint.Labels.GetValueOrDefault(key);
            if (string.IsNullOrEmpty(wanted) || wanted != actual)
            {
                break;
            }

            matched++;
        }

        return labels.Count - matched;
    }
}
