using System.IO.Hashing;
using System.Text;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Traffic.LoadBalancing;

/// <summary>
/// Envoy's ring hash over a set of endpoints: each endpoint owns ⌈minimumRingSize / endpoints⌉
/// points (xxHash64 of "address_i"); a request goes to the owner of the first point at or after its
/// hash. Built once per endpoint set; lookups are a binary search with no allocation.
/// </summary>
internal sealed class HashRing : IConsistentHashTable
{
    private readonly ulong[] _points;
    private readonly int[] _owners;

    public HashRing(IReadOnlyList<DestinationState> destinations, int minimumRingSize)
    {
        Destinations = destinations;
        MinimumRingSize = minimumRingSize;
        var count = destinations.Count;
        if (count == 0)
        {
            _points = [];
            _owners = [];
            return;
        }

        var perHost = (int)Math.Min(Math.Ceiling(Math.Max(minimumRingSize, count) / (double)count), ConsistentHashModel.MaximumRingSize / count);
        var entries = new (ulong Point, int Owner)[count * perHost];
        var n = 0;
        for (var host = 0; host < count; host++)
        {
            var prefix = destinations[host].DestinationId + "_";
            for (var i = 0; i < perHost; i++)
            {
                entries[n++] = (Hash(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), host);
            }
        }

        Array.Sort(entries, static (a, b) => a.Point.CompareTo(b.Point));
        _points = new ulong[entries.Length];
        _owners = new int[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            _points[i] = entries[i].Point;
            _owners[i] = entries[i].Owner;
        }
    }

    public IReadOnlyList<DestinationState> Destinations { get; }

    public int MinimumRingSize { get; }

    public int Size => _points.Length;

    /// <summary>The owner of <paramref name="hash"/>, walking on along the ring past endpoints not in <paramref name="available"/>.</summary>
    public DestinationState? Pick(ulong hash, IReadOnlyList<DestinationState> available)
    {
        if (_points.Length == 0 || available.Count == 0)
        {
            return null;
        }

        var index = Array.BinarySearch(_points, hash);
        if (index < 0)
        {
            index = ~index;
        }

        var sameSet = ReferenceEquals(available, Destinations);
        for (var step = 0; step < _points.Length; step++)
        {
            var owner = Destinations[_owners[(index + step) % _points.Length]];
            if (sameSet || Contains(available, owner))
            {
                return owner;
            }
        }

        return available[0];
    }

    public static ulong Hash(ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        return XxHash64.HashToUInt64(buffer[..length]);
    }

    internal static bool Contains(IReadOnlyList<DestinationState> list, DestinationState destination)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], destination))
            {
                return true;
            }
        }

        return false;
    }
}
