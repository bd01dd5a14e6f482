using System.Collections.Frozen;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// Picks the TLS server of a listener by the client's SNI, as Envoy's filter chain match does for
/// Istio's gateway servers: exact name, then the longest wildcard suffix ("*.example.com" covers
/// any name below it), then a server with host "*", which also takes clients that send no SNI.
/// </summary>
internal sealed class SniTable
{
    private readonly FrozenDictionary<string, GatewayServerModel> _exact;
    private readonly FrozenDictionary<string, GatewayServerModel>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly (string Suffix, GatewayServerModel Server)[] _suffixes;
    private readonly GatewayServerModel? _any;

    private SniTable(Dictionary<string, GatewayServerModel> exact, Dictionary<string, GatewayServerModel> suffixes, GatewayServerModel? any)
    {
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffixes = [.. suffixes.Select(kv => (kv.Key, kv.Value)).OrderByDescending(s => s.Key.Length)];
        _any = any;
    }

    public static SniTable Empty { get; } = new Builder().Build();

    public bool IsEmpty => _exact.Count == 0 && _suffixes.Length == 0 && _any is null;

    /// <summary>The servers of the table (each once).</summary>
    public IEnumerable<GatewayServerModel> Servers =>
        _exact.Values.Concat(_suffixes.Select(s => s.Server)).Append(_any).OfType<GatewayServerModel>().Distinct();

    public GatewayServerModel? Find(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _any;
        }

        var name = serverName.AsSpan().TrimEnd('.');
        if (_exactLookup.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (suffix, server) in _suffixes)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return server;
            }
        }

        return _any;
    }

    /// <summary>Collects server hosts; a host already taken by another server is reported, not replaced.</summary>
    public sealed class Builder
    {
        private readonly Dictionary<string, GatewayServerModel> _exact = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, GatewayServerModel> _suffixes = new(StringComparer.OrdinalIgnoreCase);
        private GatewayServerModel? _any;

        /// <summary>Returns the server already owning the host, or null when added (or owned by the same server).</summary>
        public GatewayServerModel? TryAdd(string host, GatewayServerModel server)
        {
            if (host == "*")
            {
                if (_any is not null && _any != server)
                {
                    return _any;
                }

                _any = server;
                return null;
            }

            var (table, key) = host.StartsWith("*.", StringComparison.Ordinal) ? (_suffixes, host[1..]) : (_exact, host);
            if (table.TryGetValue(key, out var owner))
            {
                return owner == server ? null : owner;
            }

            table[key] = server;
            return null;
        }

        public SniTable Build() => new(_exact, _suffixes, _any);
    }
}
