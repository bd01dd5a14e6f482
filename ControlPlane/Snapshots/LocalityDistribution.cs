using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Istio's <c>localityLbSetting.distribute</c> for one proxy and one cluster (Istio's
/// <c>applyLocalityWeights</c>): the first entry whose <c>from</c> matches the proxy's locality
/// decides. Each <c>to</c> locality (a prefix, <c>*</c> wildcards) takes the localities of the
/// cluster's endpoints it matches that no earlier <c>to</c> took; its weight is shared among them
/// in proportion to their own weight (the sum of their endpoints' weights) and set as each
/// endpoint's <c>locality_weight</c>. Endpoints in localities no <c>to</c> names are removed, as
/// Istio removes them from the load assignment. No matching <c>from</c>: the cluster is unchanged.
/// </summary>
internal static class LocalityDistribution
{
    /// <summary>Applies the distribution; false when no entry is <c>from</c> the proxy's locality.</summary>
    public static bool Apply(Wire.Cluster cluster, Locality proxy, IReadOnlyList<LocalityDistribute> distribute)
    {
        var rule = distribute.FirstOrDefault(d => proxy.Matches(d.From));
        if (rule is null)
        {
            return false;
        }

        // Each endpoint's locality, and each locality's own weight (Envoy's LocalityLbEndpoints weight in Istio: the sum of its endpoints' weights).
        var localities = cluster.Endpoints.Select(e => Locality.Parse(e.Locality)).ToArray();
        var own = new Dictionary<Locality, ulong>();
        foreach (var (endpoint, locality) in cluster.Endpoints.Zip(localities))
        {
            own[locality] = own.GetValueOrDefault(locality) + Math.Max(1u, endpoint.Weight);
        }

        var weights = new Dictionary<Locality, uint>();
        foreach (var (prefix, percent) in rule.To)
        {
            var taken = own.Keys.Where(l => !weights.ContainsKey(l) && l.Matches(prefix)).ToList();
            var total = taken.Aggregate(0UL, (sum, l) => sum + own[l]);
            foreach (var locality in taken)
            {
                weights[locality] = (uint)Math.Ceiling((double)own[locality] * percent / total);
            }
        }

        var kept = new List<Wire.Endpoint>();
        for (var i = 0; i < cluster.Endpoints.Count; i++)
        {
            if (weights.TryGetValue(localities[i], out var weight) && weight > 0)
            {
                cluster.Endpoints[i].LocalityWeight = weight;
                cluster.Endpoints[i].Priority = 0;
                kept.Add(cluster.Endpoints[i]);
            }
        }

        cluster.Endpoints.Clear();
        cluster.Endpoints.Add(kept);
        return true;
    }
}
