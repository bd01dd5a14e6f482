using Mesh.Proxy.Core.Routing;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Tests.Traffic.Unit;

/// <summary>The shares of <see cref="EndpointGroups"/>, checked against the tables of Envoy's load balancing docs.</summary>
public sealed class EndpointGroupsTests
{
    // Envoy's "Priority levels" table: P0 and P1 of 100 hosts each, P1 fully healthy.
    [Theory]
    [InlineData(100, 1.00)]
    [InlineData(72, 1.00)]
    [InlineData(71, 0.99)]
    [InlineData(50, 0.70)]
    [InlineData(25, 0.35)]
    [InlineData(0, 0.00)]
    public void Priority_zero_keeps_min_100_or_1_4_times_its_healthy_share(int healthyPercent, double expected)
    {
        var hosts = Enumerable.Range(0, 200).Select(i => new EndpointShare($"h{i}", i < 100 ? 0u : 1u, "", 0, 1)).ToArray();
        var (groups, destinations) = Build(hosts);
        var available = destinations.Where((_, i) => i >= 100 || i < healthyPercent).ToList();

        Assert.Equal(expected, ShareOf(groups, available, d => int.Parse(d.DestinationId[1..]) < 100), 2);
    }

    // Envoy's "Locality weighted load balancing" table: X weight 1, Y weight 2 (Y fully healthy).
    [Theory]
    [InlineData(100, 1.0 / 3)]
    [InlineData(70, 0.98 / 2.98)]
    [InlineData(50, 0.7 / 2.7)]
    [InlineData(0, 0.0)]
    public void A_locality_weight_is_scaled_by_1_4_times_its_healthy_share(int healthyPercent, double expected)
    {
        var hosts = Enumerable.Range(0, 200).Select(i => new EndpointShare($"h{i}", 0, i < 100 ? "x" : "y", i < 100 ? 1u : 2u, 1)).ToArray();
        var (groups, destinations) = Build(hosts);
        var available = destinations.Where((_, i) => i >= 100 || i < healthyPercent).ToList();

        Assert.Equal(expected, ShareOf(groups, available, d => int.Parse(d.DestinationId[1..]) < 100), 2);
    }

    [Fact]
    public void Alike_endpoints_need_no_groups()
    {
        Assert.Null(EndpointGroups.Create([new("a", 0, "r/z", 0, 1), new("b", 0, "r/y", 0, 0)]));
        Assert.NotNull(EndpointGroups.Create([new("a", 0, "", 0, 1), new("b", 0, "", 0, 2)]));
    }

    [Fact]
    public void A_pick_on_a_known_set_allocates_nothing()
    {
        var (groups, destinations) = Build([new("a", 0, "x", 80, 1), new("b", 0, "y", 20, 3), new("c", 0, "y", 20, 1), new("d", 1, "z", 10, 1)]);
        IReadOnlyList<DestinationState> available = destinations;
        var random = new Random(1);
        for (var i = 0; i < 100; i++)
        {
            _ = groups.Pick(available, random.NextDouble(), cache: true);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = groups.Pick(available, random.NextDouble(), cache: true);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (EndpointGroups Groups, List<DestinationState> Destinations) Build(EndpointShare[] hosts) =>
        (EndpointGroups.Create(hosts)!, [.. hosts.Select(h => new DestinationState(h.DestinationId))]);

    // The share of picks landing in the matching destinations, over a fine even grid of rolls.
    private static double ShareOf(EndpointGroups groups, IReadOnlyList<DestinationState> available, Func<DestinationState, bool> matches)
    {
        const int Steps = 100_000;
        var hits = 0;
        for (var i = 0; i < Steps; i++)
        {
            if (matches(groups.Pick(available, (i + 0.5) / Steps, cache: true)[0]))
            {
                hits++;
            }
        }

        return (double)hits / Steps;
    }
}
