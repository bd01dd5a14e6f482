using System.Collections.Concurrent;

namespace Mesh.Proxy.L4.Model;

/// <summary>
/// A cluster's live counters, kept across snapshots under its name (Envoy keeps cluster stats and
/// circuit breaker counts across config updates): connections now (for maxConnections), totals,
/// overflows and connect failures (the admin <c>/tcp_clusters</c>), each endpoint's state.
/// </summary>
internal sealed class L4ClusterState
{
    private int _active;
    private int _roundRobin = -1;
    private long _total;
    private long _overflows;
    private long _connectFailures;

    public L4ClusterState(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public int Active => Volatile.Read(ref _active);

    public long Total => Interlocked.Read(ref _total);

    /// <summary>Connections refused by maxConnections (Envoy's upstream_cx_overflow).</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    public ConcurrentDictionary<string, L4EndpointState> Endpoints { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Takes a connection slot unless <paramref name="maxConnections"/> (0: unlimited) are open.</summary>
    public bool TryOpen(int maxConnections)
    {
        if (maxConnections <= 0)
        {
            Interlocked.Increment(ref _active);
        }
        else
        {
            while (true)
            {
                var current = Volatile.Read(ref _active);
                if (current >= maxConnections)
                {
                    Interlocked.Increment(ref _overflows);
                    return false;
                }

                if (Interlocked.CompareExchange(ref _active, current + 1, current) == current)
                {
                    break;
                }
            }
        }

        Interlocked.Increment(ref _total);
        return true;
    }

    public void Close() => Interlocked.Decrement(ref _active);

    public void ConnectFailed() => Interlocked.Increment(ref _connectFailures);

    public int NextRoundRobin() => Interlocked.Increment(ref _roundRobin) & int.MaxValue;

    public L4EndpointState Endpoint(string authority) => Endpoints.GetOrAdd(authority, _ => new L4EndpointState());
}
