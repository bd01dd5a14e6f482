using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Tests.Unit;

public sealed class WeightedClusterTableTests
{
    private static readonly UpstreamCluster A = new("a", Protocol.Http);
    private static readonly UpstreamCluster B = new("b", Protocol.Http);
    private static readonly UpstreamCluster C = new("c", Protocol.Http);

    [Theory]
    [InlineData(new[] { 50, 50 }, 0, "a")]
    [InlineData(new[] { 50, 50 }, 49, "a")]
    [InlineData(new[] { 50, 50 }, 50, "b")]
    [InlineData(new[] { 50, 50 }, 99, "b")]
    [InlineData(new[] { 0, 100 }, 0, "b")]
    [InlineData(new[] { 100, 0 }, 99, "a")]
    [InlineData(new[] { 10, 0, 90 }, 10, "c")]
    [InlineData(new[] { 1, 1, 1 }, 2, "c")]
    public void Rolls_map_to_the_cumulative_weight_table(int[] weights, int roll, string expected)
    {
        var table = Table(weights);
        Assert.Equal(expected, table.Pick(roll).Name);
        Assert.Equal(weights.Sum(), table.TotalWeight);
    }

    [Fact]
    public void A_zero_weight_cluster_is_never_picked_over_every_roll()
    {
        var table = Table([100, 0, 0]);
        for (var roll = 0; roll < table.TotalWeight; roll++)
        {
            Assert.Same(A, table.Pick(roll));
        }
    }

    [Fact]
    public void Random_picks_follow_the_weights()
    {
        var table = Table([20, 80]);
        var picksOfA = Enumerable.Range(0, 10_000).Count(_ => table.Pick() == A);
        Assert.InRange(picksOfA, 1_600, 2_400); // expected 2000, sd 40
    }

    [Fact]
    public void Invalid_tables_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Table([0, 0]));
        Assert.Throws<ArgumentException>(() => new WeightedClusterTable([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Table([1, 1]).Pick(2));
    }

    private static WeightedClusterTable Table(int[] weights)
    {
        var clusters = new[] { A, B, C };
        return new WeightedClusterTable([.. weights.Select((w, i) => (clusters[i], w))]);
    }
}
