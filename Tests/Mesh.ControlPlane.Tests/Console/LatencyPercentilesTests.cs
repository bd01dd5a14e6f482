using Mesh.ControlPlane.Console;

namespace Mesh.ControlPlane.Tests.Console;

public sealed class LatencyPercentilesTests
{
    private static readonly double[] Bounds = [1, 5, 10, 50];

    [Theory]
    [InlineData(new long[] { 0, 100, 0, 0, 0 }, 0.5, 3.0)]      // all in (1, 5]: halfway
    [InlineData(new long[] { 0, 100, 0, 0, 0 }, 0.99, 4.96)]
    [InlineData(new long[] { 50, 0, 50, 0, 0 }, 0.5, 1.0)]      // rank lands at the end of the first bucket
    [InlineData(new long[] { 50, 0, 50, 0, 0 }, 0.99, 9.9)]     // 49 of 50 into (5, 10]
    [InlineData(new long[] { 100, 0, 0, 0, 0 }, 0.5, 0.5)]      // first bucket starts at 0
    [InlineData(new long[] { 0, 0, 0, 90, 10 }, 0.99, 50.0)]    // overflow bucket: the highest finite bound
    public void Interpolates_within_the_bucket_of_the_rank(long[] counts, double quantile, double expected)
    {
        Assert.Equal(expected, LatencyPercentiles.Of(Bounds, counts, quantile)!.Value, 6);
    }

    [Fact]
    public void Empty_or_malformed_histograms_have_no_percentile()
    {
        Assert.Null(LatencyPercentiles.Of(Bounds, new long[5], 0.5));
        Assert.Null(LatencyPercentiles.Of(Bounds, new long[] { 1, 2 }, 0.5));
        Assert.Null(LatencyPercentiles.Of([], new long[] { 1 }, 0.5));
    }
}
