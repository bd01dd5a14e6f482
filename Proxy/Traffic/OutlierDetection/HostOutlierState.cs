using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.OutlierDetection;

/// <summary>Outlier detection state of one endpoint: its failure streaks and ejection history.</summary>
internal sealed class HostOutlierState(DestinationState destination)
{
    private int _consecutive5xx;
    private int _consecutiveGateway;

    public DestinationState Destination { get; } = destination;

    /// <summary>Guards ejection and unejection (rare); streak counting is lock-free.</summary>
    public Lock Gate { get; } = new();

    public bool Ejected { get; set; }

    /// <summary>Times ejected in a row (Envoy's ejection backoff multiplier).</summary>
    public int Ejections { get; set; }

    public long EjectedAt { get; set; }

    /// <summary>Timestamp of the last unejection; 0 when never ejected.</summary>
    public long UnejectedAt { get; set; }

    /// <summary>Records one outcome; returns the streak lengths after it.</summary>
    public (int FiveXx, int Gateway) Record(int status)
    {
        if (status >= 500)
        {
            var gateway = 0;
            if (status is 502 or 503 or 504)
            {
                gateway = Interlocked.Increment(ref _consecutiveGateway);
            }
            else
            {
                Volatile.Write(ref _consecutiveGateway, 0);
            }

            return (Interlocked.Increment(ref _consecutive5xx), gateway);
        }

        if (Volatile.Read(ref _consecutive5xx) != 0)
        {
            Volatile.Write(ref _consecutive5xx, 0);
        }

        if (Volatile.Read(ref _consecutiveGateway) != 0)
        {
            Volatile.Write(ref _consecutiveGateway, 0);
        }

        return (0, 0);
    }

    public void ResetStreaks()
    {
        Volatile.Write(ref _consecutive5xx, 0);
        Volatile.Write(ref _consecutiveGateway, 0);
    }
}
