using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A sidecar's <c>service_addresses</c>: every service port its Sidecar scope lets it see, with the
/// service's address — a ServiceEntry's own IPs, or the VIP <see cref="ServiceAddressAllocator"/>
/// gave it — for transparent capture and the DNS proxy (docs/capture.md).
/// </summary>
internal static class ServiceAddressSnapshotBuilder
{
    /// <param name="candidates">The services the scope may import (<see cref="SidecarScope.Candidates"/>), in index order.</param>
    public static ImmutableArray<Wire.ServiceAddress> Build(ServiceIndex services, SidecarScope scope, IEnumerable<ServiceModel> candidates)
    {
        var result = ImmutableArray.CreateBuilder<Wire.ServiceAddress>();
        foreach (var service in candidates)
        {
            var addresses = AddressesOf(service, services.AutoAddresses);
            var ports = service.Ports.Where(p => scope.Includes(service, p.Number)).ToList();
            if (addresses.Count == 0 || ports.Count == 0)
            {
                continue;
            }

            var address = new Wire.ServiceAddress { Name = service.Hostname, Namespace = service.Namespace, MeshService = service.ShortName is not null };
            address.Addresses.Add(addresses);
            address.Ports.Add(ports.Select(p => new Wire.ServiceAddressPort { Number = p.Number, Protocol = p.Protocol }));
            result.Add(address);
        }

        return result.ToImmutable();
    }

    // A ServiceEntry's addresses that are single IPv4 hosts (a CIDR is no answer to a DNS query;
    // capture still takes connections into it through the L4 chains' destination match).
    private static List<string> AddressesOf(ServiceModel service, IReadOnlyDictionary<string, string> auto)
    {
        if (auto.TryGetValue(service.Hostname, out var vip))
        {
            return [vip];
        }

        var result = new List<string>();
        foreach (var text in service.Addresses)
        {
            var host = text.EndsWith("/32", StringComparison.Ordinal) ? text[..^3] : text;
            if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork)
            {
                result.Add(ip.ToString());
            }
        }

        return result;
    }
}
