namespace Mesh.ControlPlane.Console;

/// <summary>
/// Two readings of one proxy's /stats: the traffic between them is what the console shows. A
/// proxy that restarted between them (or a first reading) is measured from its start instead.
/// </summary>
public sealed record ReadingPair(ProxyStatsReading Baseline, ProxyStatsReading Latest)
{
    public static ReadingPair Of(ProxyStatsReading? baseline, ProxyStatsReading latest) =>
        baseline is null || baseline.StartedAt != latest.StartedAt || baseline.Now > latest.Now
            ? new ReadingPair(latest.AtStart(), latest)
            : new ReadingPair(baseline, latest);

    public double Seconds => Math.Max(0, (Latest.Now - Baseline.Now).TotalSeconds);
}
