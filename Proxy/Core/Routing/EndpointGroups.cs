using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// How one cluster's endpoints share its traffic beyond "all alike", as Envoy does it:
/// <list type="bullet">
/// <item>priority levels (locality failover): each level's health is min(100%, 1.4 × its available
/// share of endpoints) — Envoy's default overprovisioning factor, which Istio keeps — and levels take
/// traffic in order, each up to its health; the rest spills to the next level. When the levels'
/// health sums to less than 100%, the loads are scaled up to 100% (no traffic is lost while any
/// endpoint is available).</item>
/// <item>locality weights (<c>distribute</c>): within a level, a locality's effective weight is its
/// weight × min(1, 1.4 × its available share); a locality is picked by effective weight.</item>
/// <item>endpoint weights: within the picked group, each endpoint appears in proportion to its
/// weight in the candidates handed to the load balancer (weighted random, weighted round robin, and
/// two choices drawn by weight).</item>
/// </list>
/// The pick for a set of available endpoints is computed once per set (YARP keeps one list until
/// health changes) and then costs a random number and a short scan, with no allocation.
/// </summary>
public sealed class EndpointGroups
{
    /// <summary>Envoy's default overprovisioning factor (Istio does not change it), in percent.</summary>
    public const int OverprovisioningPercent = 140;

    private readonly Dictionary<string, (int Group, int Weight)> _endpoints;
    private readonly Group[] _groups;
    private EndpointGroupSelection? _last;

    private EndpointGroups(Dictionary<string, (int Group, int Weight)> endpoints, Group[] groups)
    {
        _endpoints = endpoints;
        _groups = groups;
    }

    /// <summary>The endpoints' groups; null when every endpoint is alike (one priority, no locality weights, equal weights).</summary>
    internal static EndpointGroups? Create(IReadOnlyList<EndpointShare> endpoints)
    {
        var localityWeighted = endpoints.Any(e => e.LocalityWeight > 0);
        if (!localityWeighted && endpoints.All(e => e.Priority == 0) && endpoints.Select(e => Math.Max(1u, e.Weight)).Distinct().Count() <= 1)
        {
            return null;
        }

        var keys = new Dictionary<(uint Priority, string Locality), int>();
        var groups = new List<Group>();
        var byId = new Dictionary<string, (int Group, int Weight)>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in endpoints)
        {
            if (byId.ContainsKey(endpoint.DestinationId))
            {
                continue;
            }

            var key = (endpoint.Priority, localityWeighted ? endpoint.Locality : "");
            if (!keys.TryGetValue(key, out var index))
            {
                index = groups.Count;
                keys[key] = index;
                groups.Add(new Group((int)endpoint.Priority, localityWeighted ? Math.Max(1u, endpoint.LocalityWeight) : 1u));
            }

            groups[index].Hosts++;
            byId[endpoint.DestinationId] = (index, (int)Math.Min(Math.Max(1u, endpoint.Weight), 1u << 20));
        }

        return new EndpointGroups(byId, [.. groups]);
    }

    internal IReadOnlyList<Group> Groups => _groups;

    internal bool TryGet(string destinationId, out (int Group, int Weight) entry) => _endpoints.TryGetValue(destinationId, out entry);

    /// <summary>
    /// The candidates for one pick among <paramref name="available"/>: one group's available endpoints
    /// (repeated by weight), chosen with <paramref name="roll"/> in [0, 1). <paramref name="cache"/>:
    /// <paramref name="available"/> is the cluster's current list (not a per-request one), so its
    /// computation is kept for the next requests.
    /// </summary>
    public IReadOnlyList<DestinationState> Pick(IReadOnlyList<DestinationState> available, double roll, bool cache)
    {
        var selection = Volatile.Read(ref _last);
        if (selection is null || !ReferenceEquals(selection.Source, available))
        {
            selection = new EndpointGroupSelection(this, available);
            if (cache)
            {
                Volatile.Write(ref _last, selection);
            }
        }

        return selection.Pick(roll);
    }

    internal sealed class Group(int priority, uint localityWeight)
    {
        public int Priority { get; } = priority;

        public uint LocalityWeight { get; } = localityWeight;

        /// <summary>Endpoints in the group (available or not).</summary>
        public int Hosts { get; set; }
    }
}

/// <summary>One endpoint as <see cref="EndpointGroups"/> sees it (from the snapshot's <c>Endpoint</c>).</summary>
internal readonly record struct EndpointShare(string DestinationId, uint Priority, string Locality, uint LocalityWeight, uint Weight);
