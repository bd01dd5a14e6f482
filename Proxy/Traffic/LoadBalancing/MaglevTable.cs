using System.IO.Hashing;
using System.Text;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>
/// Envoy's Maglev consistent hashing (Istio <c>consistentHash.maglev</c>): a lookup table of a
/// prime size filled from each endpoint's permutation (offset and skip from two xxHash64 seeds of
/// its address), so every endpoint owns an equal share and a change moves few entries. Lookups
/// are one array access.
/// </summary>
internal sealed class MaglevTable : IConsistentHashTable
{
    private readonly int[] _table;

    public MaglevTable(IReadOnlyList<DestinationState> destinations, int tableSize)
    {
        Destinations = destinations;
        TableSize = tableSize;
        var count = destinations.Count;
        if (count == 0)
        {
            _table = [];
            return;
        }

        var offsets = new long[count];
        var skips = new long[count];
        var next = new long[count];
        for (var i = 0; i < count; i++)
        {
            var address = Encoding.UTF8.GetBytes(destinations[i].DestinationId);
            offsets[i] = (long)(XxHash64.HashToUInt64(address, 0) % (ulong)tableSize);
            skips[i] = (long)(XxHash64.HashToUInt64(address, 1) % (ulong)(tableSize - 1)) + 1;
        }

        _table = new int[tableSize];
        Array.Fill(_table, -1);
        var filled = 0;
        while (true)
        {
            for (var i = 0; i < count; i++)
            {
                var entry = (offsets[i] + (next[i] * skips[i])) % tableSize;
                while (_table[entry] >= 0)
                {
                    next[i]++;
                    entry = (offsets[i] + (next[i] * skips[i])) % tableSize;
                }

                _table[entry] = i;
                next[i]++;
                if (++filled == tableSize)
                {
                    return;
                }
            }
        }
    }

    public IReadOnlyList<DestinationState> Destinations { get; }

    public int TableSize { get; }

    public DestinationState? Pick(ulong hash, IReadOnlyList<DestinationState> available)
    {
        if (_table.Length == 0 || available.Count == 0)
        {
            return null;
        }

        var sameSet = ReferenceEquals(available, Destinations);
        var start = (int)(hash % (ulong)_table.Length);
        for (var step = 0; step < _table.Length; step++)
        {
            var owner = Destinations[_table[(start + step) % _table.Length]];
            if (sameSet || HashRing.Contains(available, owner))
            {
                return owner;
            }
        }

        return available[0];
    }
}
