namespace Mesh.ControlPlane.Console;

/// <summary>
/// Two readings of one proxy's /stats: the traffic between them is what the console shows. A
/// proxy that restarted between them is measured from its start instead.
/// </summary>
internal sealed record ReadingPair(ProxyStatsReading Baseline, ProxyStatsReading Latest)
{
    /// <param name="window">
    /// Without a baseline, a proxy that started within the window is measured from its start; an
    /// older one gets no rate until a second reading (its lifetime average is not a recent rate).
    /// </param>
    public static ReadingPair Of(ProxyStatsReading? baseline, ProxyStatsReading latest, TimeSpan window)
    {
        if (baseline is null)
        {
            return latest.Now - latest.StartedAt <= window ? new ReadingPair(latest.AtStart(), latest) : new ReadingPair(latest, latest);
        }

        return baseline.StartedAt != latest.StartedAt || baseline.Now > latest.Now
            ? new ReadingPair(latest.AtStart(), latest) // restarted since the baseline: everything it counted is new
            : new ReadingPair(baseline, latest);
    }

    public double Seconds => Math.Max(0, (Latest.Now - Baseline.Now).TotalSeconds);
}
