using System.Collections.Frozen;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// Virtual host lookup by host name with Envoy's precedence: exact, then the longest suffix
/// wildcard ("*.example.com"), then the longest prefix wildcard ("example.*"), then "*".
/// Lookups are case-insensitive and allocation-free.
/// </summary>
public sealed class DomainTable
{
    private readonly FrozenDictionary<string, VirtualHostModel> _exact;
    private readonly FrozenDictionary<string, VirtualHostModel>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly (string Suffix, VirtualHostModel Host)[] _suffixes;
    private readonly (string Prefix, VirtualHostModel Host)[] _prefixes;
    private readonly VirtualHostModel? _any;

    private DomainTable(
        Dictionary<string, VirtualHostModel> exact,
        List<(string, VirtualHostModel)> suffixes,
        List<(string, VirtualHostModel)> prefixes,
        VirtualHostModel? any)
    {
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffixes = [.. suffixes.OrderByDescending(s => s.Item1.Length)];
        _prefixes = [.. prefixes.OrderByDescending(p => p.Item1.Length)];
        _any = any;
    }

    public static DomainTable Empty { get; } = new Builder().Build();

    public int Count => _exact.Count + _suffixes.Length + _prefixes.Length + (_any is null ? 0 : 1);

    public VirtualHostModel? Find(ReadOnlySpan<char> host)
    {
        if (_exactLookup.TryGetValue(host, out var exact))
        {
            return exact;
        }

        foreach (var (suffix, vh) in _suffixes)
        {
            // The wildcard stands for at least one character.
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return vh;
            }
        }

        foreach (var (prefix, vh) in _prefixes)
        {
            if (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return vh;
            }
        }

        return _any;
    }

    /// <summary>Collects domains; reports a domain claimed by two virtual hosts instead of picking one.</summary>
    public sealed class Builder
    {
        private readonly Dictionary<string, VirtualHostModel> _exact = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, VirtualHostModel> _suffixes = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, VirtualHostModel> _prefixes = new(StringComparer.OrdinalIgnoreCase);
        private VirtualHostModel? _any;

        /// <summary>Adds a host name (no port). Returns the virtual host already owning it, or null when added (or owned by the same one).</summary>
        public VirtualHostModel? TryAdd(string host, VirtualHostModel virtualHost)
        {
            if (host == "*")
            {
                if (_any is not null && _any != virtualHost)
                {
                    return _any;
                }

                _any = virtualHost;
                return null;
            }

            var (table, key) = host.StartsWith('*') ? (_suffixes, host[1..])
                : host.EndsWith('*') ? (_prefixes, host[..^1])
                : (_exact, host);
            if (table.TryGetValue(key, out var owner))
            {
                return owner == virtualHost ? null : owner;
            }

            table[key] = virtualHost;
            return null;
        }

        /// <summary>Adds only when the host is free (lower-precedence sources, e.g. a gateway's second port).</summary>
        public void AddIfFree(string host, VirtualHostModel virtualHost)
        {
            if (host == "*")
            {
                _any ??= virtualHost;
                return;
            }

            var (table, key) = host.StartsWith('*') ? (_suffixes, host[1..])
                : host.EndsWith('*') ? (_prefixes, host[..^1])
                : (_exact, host);
            table.TryAdd(key, virtualHost);
        }

        public DomainTable Build() => new(
            _exact,
            [.. _suffixes.Select(kv => (kv.Key, kv.Value))],
            [.. _prefixes.Select(kv => (kv.Key, kv.Value))],
            _any);
    }
}
