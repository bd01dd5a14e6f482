using System.Collections.Concurrent;

namespace Mesh.Proxy.Telemetry.Stats;

/// <summary>
/// Every graph edge this proxy has reported, for the life of the process (the console's data
/// source on <c>/stats</c>). Bounded: edges beyond <see cref="MaxEdges"/> are counted as dropped.
/// </summary>
internal sealed class EdgeStatsRegistry
{
    public const int MaxEdges = 2048;

    private readonly ConcurrentDictionary<EdgeKey, EdgeStats> _edges = new();
    private long _dropped;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public IEnumerable<EdgeStats> All => _edges.Values;

    /// <summary>Requests of edges that could not be tracked because the registry was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>The edge's stats (created on first use); null when the registry is full.</summary>
    public EdgeStats? Get(EdgeKey key)
    {
        if (_edges.TryGetValue(key, out var stats))
        {
            return stats;
        }

        return _edges.Count >= MaxEdges ? null : _edges.GetOrAdd(key, k => new EdgeStats(k));
    }

    public void CountDropped() => Interlocked.Increment(ref _dropped);
}
