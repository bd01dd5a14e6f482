namespace Mesh.ControlPlane.Console;

/// <summary>Traffic of one edge between two readings of one proxy (or summed over several).</summary>
internal sealed class TrafficDelta
{
    public TrafficDelta(int buckets)
    {
        LatencyCounts = new long[buckets];
    }

    public long Requests { get; private set; }

    public long Errors { get; private set; }

    public long[] LatencyCounts { get; }

    /// <summary>Requests since the proxies started (what the edge carried in total).</summary>
    public long TotalRequests { get; private set; }

    /// <summary>Requests per second of each contributing proxy, summed (each over its own interval).</summary>
    public double RequestsPerSecond { get; private set; }

    public double Seconds { get; private set; }

    public void Add(StatsEdge latest, StatsEdge? baseline, double seconds)
    {
        var requests = latest.Requests - (baseline?.Requests ?? 0);
        Requests += requests;
        Errors += latest.Errors - (baseline?.Errors ?? 0);
        TotalRequests += latest.Requests;
        RequestsPerSecond += seconds > 0 ? requests / seconds : 0;
        Seconds = Math.Max(Seconds, seconds);
        var counts = latest.LatencyCounts;
        for (var i = 0; i < LatencyCounts.Length && i < counts.Length; i++)
        {
            var before = baseline is not null && i < baseline.LatencyCounts.Length ? baseline.LatencyCounts[i] : 0;
            LatencyCounts[i] += counts[i] - before;
        }
    }
}
