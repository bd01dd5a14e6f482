using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// The live traffic state of one cluster (by name), kept across snapshots so in-flight counts,
/// endpoint ejections and hash rings survive a configuration change: circuit breaker counters,
/// outlier detection state and the current hash ring.
/// </summary>
public sealed class ClusterTrafficState : IDisposable
{
    private HashRing? _ring;

    public ClusterTrafficState(string clusterName)
    {
        ClusterName = clusterName;
    }

    public string ClusterName { get; }

    public ConnectionPoolState Pool { get; } = new();

    internal OutlierClusterState Outlier { get; } = new();

    /// <summary>The ring for this endpoint set, rebuilt only when YARP publishes a new available set.</summary>
    public HashRing RingFor(IReadOnlyList<DestinationState> destinations, int minimumRingSize)
    {
        var ring = Volatile.Read(ref _ring);
        if (ring is not null && ReferenceEquals(ring.Destinations, destinations) && ring.MinimumRingSize == minimumRingSize)
        {
            return ring;
        }

        // Concurrent rebuilds of the same set are harmless: equal rings, last write wins.
        ring = new HashRing(destinations, minimumRingSize);
        Volatile.Write(ref _ring, ring);
        return ring;
    }

    public void Dispose() => Outlier.Dispose();
}
