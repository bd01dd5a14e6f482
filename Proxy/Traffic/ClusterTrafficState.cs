using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// The live traffic state of one cluster (by name), kept across snapshots so in-flight counts,
/// endpoint ejections and hash tables survive a configuration change: circuit breaker counters,
/// outlier detection state and the current hash table.
/// </summary>
public sealed class ClusterTrafficState : IDisposable
{
    private IConsistentHashTable? _table;
    private ConsistentHashModel? _tableModel;

    public ClusterTrafficState(string clusterName)
    {
        ClusterName = clusterName;
    }

    public string ClusterName { get; }

    public ConnectionPoolState Pool { get; } = new();

    internal OutlierClusterState Outlier { get; } = new();

    /// <summary>The hash table for this endpoint set, rebuilt only when YARP publishes a new available set.</summary>
    public IConsistentHashTable HashTableFor(IReadOnlyList<DestinationState> destinations, ConsistentHashModel model)
    {
        var table = Volatile.Read(ref _table);
        if (table is not null && ReferenceEquals(table.Destinations, destinations) && ReferenceEquals(_tableModel, model))
        {
            return table;
        }

        // Concurrent rebuilds of the same set are harmless: equal tables, last write wins.
        table = model.MaglevTableSize > 0
            ? new MaglevTable(destinations, model.MaglevTableSize)
            : new HashRing(destinations, model.MinimumRingSize);
        _tableModel = model;
        Volatile.Write(ref _table, table);
        return table;
    }

    public void Dispose() => Outlier.Dispose();
}
