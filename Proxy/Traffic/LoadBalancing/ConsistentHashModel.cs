using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>
/// A cluster's compiled <c>loadBalancer.consistentHash</c>: the request attribute hashed and the
/// table (Envoy's ring hash with <c>minimumRingSize</c>, default 1024, at most 8M entries, or a
/// Maglev table of <c>maglev.tableSize</c>). A request
/// without the attribute is balanced randomly, except a cookie with a <c>ttl</c>, which the proxy
/// then generates and sets on the response. Attached to the cluster as its feature model; it
/// caches the table of the cluster's current endpoint set.
/// </summary>
internal sealed class ConsistentHashModel
{
    private IConsistentHashTable? _table;

    public const int DefaultMinimumRingSize = 1024;
    public const int MaximumRingSize = 8 * 1024 * 1024;

    public ConsistentHashModel(HashKey key, string name)
    {
        Key = key;
        Name = name;
    }

    public HashKey Key { get; }

    /// <summary>Header, cookie or query parameter name (unused for the source IP).</summary>
    public string Name { get; }

    public string? CookiePath { get; init; }

    /// <summary>Cookie lifetime; when set a missing cookie is generated (zero: a session cookie).</summary>
    public TimeSpan? CookieTtl { get; init; }

    public int MinimumRingSize { get; init; } = DefaultMinimumRingSize;

    /// <summary>Prime size of a Maglev table; 0 uses the ring hash (Istio's default).</summary>
    public int MaglevTableSize { get; init; }

    /// <summary>The hash table for this endpoint set, rebuilt only when YARP publishes a new available set.</summary>
    public IConsistentHashTable TableFor(IReadOnlyList<DestinationState> destinations)
    {
        var table = Volatile.Read(ref _table);
        if (table is not null && ReferenceEquals(table.Destinations, destinations))
        {
            return table;
        }

        // Concurrent rebuilds of the same set are harmless: equal tables, last write wins.
        table = MaglevTableSize > 0
            ? new MaglevTable(destinations, MaglevTableSize)
            : new HashRing(destinations, MinimumRingSize);
        Volatile.Write(ref _table, table);
        return table;
    }
}
