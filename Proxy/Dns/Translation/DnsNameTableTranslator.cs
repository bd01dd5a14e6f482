using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Dns.Model;
using ServiceAddress = Mesh.Contracts.Snapshots.ServiceAddress;

namespace Mesh.Proxy.Dns.Translation;

/// <summary>
/// Builds the DNS proxy's name table from a snapshot's <c>service_addresses</c>: a ServiceEntry host
/// answers to its name; a mesh service (<c>reviews.default.svc.cluster.local</c>) also to
/// <c>reviews.default.svc</c> and <c>reviews.default</c>, and to <c>reviews</c> from its own
/// namespace (Kubernetes' search list, which Istio's DNS proxy answers for). A full name wins over
/// another service's shorter alias. An address that is no IP rejects the snapshot.
/// </summary>
internal static class DnsNameTableTranslator
{
    public static DnsNameTable Translate(IReadOnlyList<ServiceAddress> services, string proxyNamespace, string clusterDomain, IReadOnlyList<string> searchDomains, TranslationErrors errors)
    {
        var hosts = new Dictionary<string, DnsHost>(StringComparer.Ordinal);
        var aliases = new List<(string Name, DnsHost Host)>();
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var v4 = new List<IPAddress>();
            var v6 = new List<IPAddress>();
            foreach (var text in service.Addresses)
            {
                if (!IPAddress.TryParse(text, out var address))
                {
                    errors.Add($"service_addresses[{i}] ({service.Name}).addresses", $"'{text}' is not an IP address");
                    continue;
                }

                (address.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : v4).Add(address);
            }

            var fqdn = DnsNameTable.Absolute(service.Name);
            var host = new DnsHost(fqdn, v4, v6);
            hosts.TryAdd(fqdn, host);
            if (service.MeshService && AliasesOf(service, clusterDomain) is { } names)
            {
                aliases.AddRange(names.Where(n => n != "." && (n.Count(c => c == '.') > 1 || service.Namespace == proxyNamespace)).Select(n => (n, host)));
            }
        }

        foreach (var (name, host) in aliases)
        {
            hosts.TryAdd(name, host);
        }

        var domain = DnsNameTable.Absolute(clusterDomain);
        string[] kubernetes = [$"{proxyNamespace}.svc.{clusterDomain}", $"svc.{clusterDomain}", clusterDomain];
        var suffixes = kubernetes.Concat(searchDomains)
            .Select(d => "." + DnsNameTable.Absolute(d))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new DnsNameTable(hosts.ToFrozenDictionary(StringComparer.Ordinal), suffixes, domain);
    }

    // reviews.default.svc.cluster.local: reviews.default.svc., reviews.default., reviews.
    private static string[]? AliasesOf(ServiceAddress service, string clusterDomain)
    {
        var suffix = $".{service.Namespace}.svc.{clusterDomain}".ToLowerInvariant();
        var name = service.Name.ToLowerInvariant().TrimEnd('.');
        if (!name.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var shortName = name[..^suffix.Length];
        var ns = service.Namespace.ToLowerInvariant();
        return [$"{shortName}.{ns}.svc.", $"{shortName}.{ns}.", $"{shortName}."];
    }
}
