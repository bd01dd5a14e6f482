using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.OutlierDetection;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// The live traffic state of one cluster (by name), kept across snapshots so in-flight counts and
/// endpoint ejections survive a configuration change: circuit breaker counters and outlier
/// detection state. Each snapshot's models of the cluster act on it.
/// </summary>
internal sealed class ClusterTrafficState : IDisposable
{
    public ClusterTrafficState(string clusterName)
    {
        ClusterName = clusterName;
    }

    public string ClusterName { get; }

    public ConnectionPoolState Pool { get; } = new();

    internal OutlierClusterState Outlier { get; } = new();

    public void Dispose() => Outlier.Dispose();
}
