using Mesh.Config.Model.Networking;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Istio's <c>MergeTrafficPolicy</c>: a subset's policy replaces the top-level policy field by
/// field (connectionPool, loadBalancer, outlierDetection, tls), and a matching
/// <c>portLevelSettings</c> entry replaces all four fields (port-level settings do not inherit).
/// </summary>
internal static class TrafficPolicyMerger
{
    public static TrafficPolicy? Effective(DestinationRuleConfig? rule, string? subsetName, uint port)
    {
        if (rule is null)
        {
            return null;
        }

        var merged = Merge(null, rule.TrafficPolicy, port);
        var subset = subsetName is null ? null : rule.Subsets.FirstOrDefault(s => s.Name == subsetName);
        return subset is null ? merged : Merge(merged, subset.TrafficPolicy, port);
    }

    private static TrafficPolicy? Merge(TrafficPolicy? original, TrafficPolicy? overriding, uint port)
    {
        if (overriding is null)
        {
            return original;
        }

        var merged = new TrafficPolicy
        {
            ConnectionPool = overriding.ConnectionPool ?? original?.ConnectionPool,
            LoadBalancer = overriding.LoadBalancer ?? original?.LoadBalancer,
            OutlierDetection = overriding.OutlierDetection ?? original?.OutlierDetection,
            Tls = overriding.Tls ?? original?.Tls,

            // Port-level settings have no retry budget: it stays with the subset or the rule.
            RetryBudget = overriding.RetryBudget ?? original?.RetryBudget,
        };
        var portLevel = overriding.PortLevelSettings.FirstOrDefault(p => p.Port?.Number == port);
        if (portLevel is not null)
        {
            merged = merged with
            {
                ConnectionPool = portLevel.ConnectionPool,
                LoadBalancer = portLevel.LoadBalancer,
                OutlierDetection = portLevel.OutlierDetection,
                Tls = portLevel.Tls,
            };
        }

        return merged;
    }
}
