namespace Mesh.ControlPlane.Console;

/// <summary>
/// Percentiles from a latency histogram (upper bounds plus an overflow bucket), interpolated
/// linearly inside the bucket the rank falls in, as Prometheus' <c>histogram_quantile</c> does.
/// </summary>
internal static class LatencyPercentiles
{
    /// <param name="quantile">0..1, e.g. 0.99.</param>
    /// <returns>Null when the histogram is empty or malformed.</returns>
    public static double? Of(ReadOnlySpan<double> upperBounds, ReadOnlySpan<long> counts, double quantile)
    {
        if (counts.Length != upperBounds.Length + 1 || upperBounds.Length == 0)
        {
            return null;
        }

        long total = 0;
        foreach (var count in counts)
        {
            total += Math.Max(0, count);
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Clamp(quantile, 0, 1) * total;
        long below = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var count = Math.Max(0, counts[i]);
            if (count > 0 && below + count >= rank)
            {
                if (i == upperBounds.Length)
                {
                    return upperBounds[^1]; // the overflow bucket has no upper bound: report the highest finite one
                }

                var lower = i == 0 ? 0 : upperBounds[i - 1];
                return lower + ((upperBounds[i] - lower) * (rank - below) / count);
            }

            below += count;
        }

        return upperBounds[^1];
    }
}
