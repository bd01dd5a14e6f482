using System.Collections.Frozen;
using System.Net;

namespace Mesh.Proxy.Dns.Model;

/// <summary>
/// The DNS proxy's names under one snapshot (istio-agent's name table): each name a mesh service or
/// ServiceEntry host answers to, with its addresses, and the suffixes a resolver's search list
/// appends (a query for <c>reviews.default.svc.cluster.local.default.svc.cluster.local</c> is
/// answered with a CNAME to the service, as Istio does). Names are lower case and end with a dot.
/// </summary>
internal sealed class DnsNameTable
{
    public DnsNameTable(FrozenDictionary<string, DnsHost> hosts, IReadOnlyList<string> searchSuffixes, string meshDomain)
    {
        Hosts = hosts;
        SearchSuffixes = searchSuffixes;
        MeshDomain = meshDomain;
    }

    /// <summary>Every name answered here, e.g. <c>reviews.</c>, <c>reviews.default.</c>, <c>reviews.default.svc.cluster.local.</c>.</summary>
    public FrozenDictionary<string, DnsHost> Hosts { get; }

    /// <summary>Search-list suffixes (with their leading dot) stripped from a name that is not a host itself.</summary>
    public IReadOnlyList<string> SearchSuffixes { get; }

    /// <summary>The mesh's DNS domain (<c>cluster.local.</c>): a name in it that is no host does not exist (NXDOMAIN, not forwarded).</summary>
    public string MeshDomain { get; }

    /// <summary>A name in lower case with the final dot.</summary>
    public static string Absolute(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower.EndsWith('.') ? lower : lower + ".";
    }

    /// <summary>What a query for <paramref name="name"/> (lower case, with the final dot) is.</summary>
    public DnsLookup Lookup(string name)
    {
        if (Hosts.TryGetValue(name, out var host))
        {
            return new DnsLookup(DnsLookupKind.Host, host, null);
        }

        foreach (var suffix in SearchSuffixes)
        {
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal)
                && Hosts.TryGetValue(name[..^(suffix.Length - 1)], out var expanded))
            {
                return new DnsLookup(DnsLookupKind.Alias, expanded, name[..^(suffix.Length - 1)]);
            }
        }

        return name == MeshDomain || name.EndsWith("." + MeshDomain, StringComparison.Ordinal)
            ? new DnsLookup(DnsLookupKind.NoSuchName, null, null)
            : new DnsLookup(DnsLookupKind.Elsewhere, null, null);
    }
}

/// <summary>One service's addresses: the canonical name (FQDN, with the final dot) and its IPv4 and IPv6 addresses.</summary>
internal sealed record DnsHost(string CanonicalName, IReadOnlyList<IPAddress> V4, IReadOnlyList<IPAddress> V6);

/// <summary>The outcome of <see cref="DnsNameTable.Lookup"/>; an alias carries the name it stands for.</summary>
internal readonly record struct DnsLookup(DnsLookupKind Kind, DnsHost? Host, string? AliasOf);

internal enum DnsLookupKind
{
    /// <summary>A name of the table: answered from it.</summary>
    Host,

    /// <summary>A name of the table with a search suffix appended: a CNAME to that name, then its addresses.</summary>
    Alias,

    /// <summary>In the mesh's domain but no service: NXDOMAIN.</summary>
    NoSuchName,

    /// <summary>Not the mesh's: forwarded to the upstream resolver.</summary>
    Elsewhere,
}
