namespace Mesh.Proxy.Telemetry.Stats;

/// <summary>
/// Upper bounds (ms) of the latency histogram kept per traffic edge for the mesh console: finer
/// than Istio's metric buckets so p50/p99 interpolate well at the latencies a mesh usually sees.
/// </summary>
internal static class LatencyBuckets
{
    public static readonly double[] UpperBoundsMs =
        [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10000, 30000];

    /// <summary>Number of counts: one per bound plus the overflow bucket.</summary>
    public static int Count => UpperBoundsMs.Length + 1;

    public static int IndexOf(double milliseconds)
    {
        var bounds = UpperBoundsMs;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (milliseconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Length;
    }
}
