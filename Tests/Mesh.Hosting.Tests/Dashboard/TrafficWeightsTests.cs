using Mesh.Hosting.Dashboard;

namespace Mesh.Hosting.Tests.Dashboard;

public sealed class TrafficWeightsTests
{
    private static readonly string[] Versions = ["v1", "v2", "v3"];

    [Fact]
    public void Shifting_half_to_a_version_leaves_the_rest_where_it_was()
    {
        // Istio's traffic-shifting task: all v1, then 50/50 v1/v3, then all v3.
        var allV1 = new Dictionary<string, int> { ["v1"] = 100 };
        Assert.Equal([("v1", 50), ("v3", 50)], TrafficWeights.Shift(allV1, Versions, "v3", 50));
        Assert.Equal([("v3", 100)], TrafficWeights.Shift(allV1, Versions, "v3", 100));
    }

    [Fact]
    public void The_other_versions_keep_their_proportions_and_the_weights_sum_to_100()
    {
        var current = new Dictionary<string, int> { ["v1"] = 60, ["v2"] = 30, ["v3"] = 10 };

        var shifted = TrafficWeights.Shift(current, Versions, "v3", 25);

        // 75 left for v1 and v2 in the ratio 2:1.
        Assert.Equal([("v1", 50), ("v2", 25), ("v3", 25)], shifted);
        Assert.Equal(100, shifted.Sum(w => w.Weight));
    }

    [Fact]
    public void Shifting_away_from_the_only_version_shares_the_rest_evenly_in_whole_percent()
    {
        var shifted = TrafficWeights.Shift(new Dictionary<string, int> { ["v1"] = 100 }, Versions, "v1", 0);

        Assert.Equal([("v2", 50), ("v3", 50)], shifted);
        Assert.Equal([34, 33, 33], TrafficWeights.Apportion(100, [1, 1, 1]));
        Assert.Equal(new Dictionary<string, int> { ["v1"] = 34, ["v2"] = 33, ["v3"] = 33 }, TrafficWeights.Even(Versions));
    }

    [Theory]
    [InlineData("v4", 50)]
    [InlineData("v1", 101)]
    [InlineData("v1", -1)]
    public void An_unknown_version_or_a_share_outside_0_to_100_is_refused(string target, int percent) =>
        Assert.ThrowsAny<ArgumentException>(() => TrafficWeights.Shift(new Dictionary<string, int>(), Versions, target, percent));
}
