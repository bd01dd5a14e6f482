using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// <see cref="EndpointGroups"/> applied to one set of available endpoints: each group's share of
/// traffic (Envoy's priority loads and effective locality weights) and its candidates.
/// </summary>
internal sealed class EndpointGroupSelection
{
    // Above this many candidates in a group, endpoint weights are scaled down (each endpoint keeps at least one).
    private const int MaxCandidates = 1024;

    private readonly double[] _cumulative;
    private readonly IReadOnlyList<DestinationState>[] _candidates;

    public EndpointGroupSelection(EndpointGroups groups, IReadOnlyList<DestinationState> available)
    {
        Source = available;
        var all = groups.Groups;
        var members = new List<(DestinationState Destination, int Weight)>[all.Count];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = [];
        }

        var unknown = new List<DestinationState>();
        foreach (var destination in available)
        {
            if (groups.TryGet(destination.DestinationId, out var entry))
            {
                members[entry.Group].Add((destination, entry.Weight));
            }
            else
            {
                unknown.Add(destination);
            }
        }

        var shares = Shares(all, members);
        var cumulative = new List<double>();
        var candidates = new List<IReadOnlyList<DestinationState>>();
        var sum = 0.0;
        for (var i = 0; i < all.Count; i++)
        {
            if (shares[i] > 0 && members[i].Count > 0)
            {
                sum += shares[i];
                cumulative.Add(sum);
                candidates.Add(ByWeight(members[i]));
            }
        }

        if (candidates.Count == 0)
        {
            // Nothing known is available (the set and the groups disagree): leave the choice to the load balancer.
            sum = 1;
            cumulative.Add(1);
            candidates.Add(available);
        }

        _cumulative = [.. cumulative.Select(c => c / sum)];
        _candidates = [.. candidates];
    }

    public IReadOnlyList<DestinationState> Source { get; }

    public IReadOnlyList<DestinationState> Pick(double roll)
    {
        var last = _cumulative.Length - 1;
        for (var i = 0; i < last; i++)
        {
            if (roll < _cumulative[i])
            {
                return _candidates[i];
            }
        }

        return _candidates[last];
    }

    /// <summary>Each group's share of traffic, from Envoy's priority loads and effective locality weights.</summary>
    internal static double[] Shares(IReadOnlyList<EndpointGroups.Group> groups, IReadOnlyList<List<(DestinationState Destination, int Weight)>> members)
    {
        var shares = new double[groups.Count];
        var priorities = groups.Select(g => g.Priority).Distinct().Order().ToArray();
        var health = new int[priorities.Length];
        for (var p = 0; p < priorities.Length; p++)
        {
            var (healthy, hosts) = (0, 0);
            for (var g = 0; g < groups.Count; g++)
            {
                if (groups[g].Priority == priorities[p])
                {
                    healthy += members[g].Count;
                    hosts += groups[g].Hosts;
                }
            }

            health[p] = Health(healthy, hosts);
        }

        // Envoy: levels take traffic in order up to their health; a shortfall of the sum is scaled up.
        var loads = new double[priorities.Length];
        var remaining = 100;
        for (var p = 0; p < priorities.Length; p++)
        {
            var load = Math.Min(remaining, health[p]);
            loads[p] = load;
            remaining -= load;
        }

        var total = 100 - remaining;
        for (var p = 0; p < priorities.Length; p++)
        {
            var level = total == 0 ? 0 : loads[p] / total;
            var effective = new double[groups.Count];
            var levelWeight = 0.0;
            for (var g = 0; g < groups.Count; g++)
            {
                if (groups[g].Priority == priorities[p])
                {
                    effective[g] = groups[g].LocalityWeight * Health(members[g].Count, groups[g].Hosts) / 100.0;
                    levelWeight += effective[g];
                }
            }

            for (var g = 0; g < groups.Count; g++)
            {
                if (groups[g].Priority == priorities[p] && levelWeight > 0)
                {
                    shares[g] = level * effective[g] / levelWeight;
                }
            }
        }

        return shares;
    }

    /// <summary>Envoy's health of a priority level or locality, in percent: min(100, 140 × available / all).</summary>
    internal static int Health(int available, int hosts) =>
        hosts == 0 ? 0 : (int)Math.Min(100, (long)EndpointGroups.OverprovisioningPercent * available / hosts);

    // The group's candidates: each endpoint as many times as its weight (scaled), interleaved by
    // smooth weighted round robin so that a rotation over the list spreads each endpoint evenly.
    private static IReadOnlyList<DestinationState> ByWeight(List<(DestinationState Destination, int Weight)> members)
    {
        if (members.All(m => m.Weight == members[0].Weight))
        {
            return [.. members.Select(m => m.Destination)];
        }

        var divisor = members.Aggregate(0, (gcd, m) => Gcd(gcd, m.Weight));
        var weights = members.Select(m => m.Weight / divisor).ToArray();
        var total = weights.Sum(w => (long)w);
        if (total > MaxCandidates)
        {
            weights = [.. weights.Select(w => (int)Math.Max(1, w * MaxCandidates / total))];
            total = weights.Sum(w => (long)w);
        }

        var current = new long[weights.Length];
        var list = new DestinationState[total];
        for (var slot = 0; slot < list.Length; slot++)
        {
            var best = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            list[slot] = members[best].Destination;
        }

        return list;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
