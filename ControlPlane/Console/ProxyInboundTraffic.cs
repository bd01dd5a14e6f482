namespace Mesh.ControlPlane.Console;

/// <summary>
/// The requests one proxy received for its workload in the window (the edges it reported as
/// destination): per proxy, so each replica of a workload shows its own share of the traffic.
/// </summary>
internal static class ProxyInboundTraffic
{
    public static (double RequestsPerSecond, double? SuccessRate, long TotalRequests) Of(ReadingPair pair)
    {
        var delta = new TrafficDelta(pair.Latest.LatencyBoundsMs.Length + 1);
        var baseline = pair.Baseline.Edges.ToDictionary(e => e.Key, StringComparer.Ordinal);
        foreach (var edge in pair.Latest.Edges.Where(e => e.Reporter == "destination"))
        {
            baseline.TryGetValue(edge.Key, out var before);
            if (before is not null && (before.Requests > edge.Requests || before.Errors > edge.Errors))
            {
                before = null; // counters went back: count from zero, as the graph does
            }

            delta.Add(edge, before, pair.Seconds);
        }

        return (
            Math.Round(delta.RequestsPerSecond, 3),
            delta.Requests > 0 ? Math.Round(1 - ((double)delta.Errors / delta.Requests), 4) : null,
            delta.TotalRequests);
    }
}
