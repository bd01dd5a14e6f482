using System.Net;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Stable virtual IPs for services that have no address of their own, as Istio's DNS
/// auto-allocation does for ServiceEntries: mesh services from 240.241.0.0/16, ServiceEntry hosts
/// without <c>addresses</c> from 240.240.0.0/16 (class E: never a real destination). A service's
/// slot is a hash of its hostname, so it keeps its address across restarts and whatever else
/// comes and goes; two hostnames that hash to one slot are resolved in hostname order (the later
/// takes the next free slot); once a range is full, later hostnames get none. Wildcard hosts and resolution NONE get none (they have no single
/// destination).
/// </summary>
internal static class ServiceAddressAllocator
{
    public const string MeshServiceRange = "240.241.0.0/16";
    public const string ServiceEntryRange = "240.240.0.0/16";
    private const int Slots = 65534; // .0.1 to .255.254

    public static IReadOnlyDictionary<string, string> Allocate(IEnumerable<ServiceModel> services)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var taken = new HashSet<(byte, int)>();
        var used = new Dictionary<byte, int>();
        foreach (var service in services.OrderBy(s => s.Hostname, StringComparer.Ordinal))
        {
            if (!NeedsAddress(service))
            {
                continue;
            }

            byte range = service.ShortName is null ? (byte)240 : (byte)241;
            if (used.GetValueOrDefault(range) == Slots)
            {
                continue; // the range is full: this service has no VIP (capture and DNS do not know it)
            }

            var slot = (int)(Fnv1a(service.Hostname.ToLowerInvariant()) % Slots);
            while (!taken.Add((range, slot)))
            {
                slot = (slot + 1) % Slots;
            }

            used[range] = used.GetValueOrDefault(range) + 1;
            var host = slot + 1;
            result[service.Hostname] = new IPAddress([240, range, (byte)(host >> 8), (byte)(host & 0xff)]).ToString();
        }

        return result;
    }

    private static bool NeedsAddress(ServiceModel service) =>
        service.ShortName is not null
        || (service.Addresses.IsEmpty && !service.Passthrough && !service.Hostname.Contains('*', StringComparison.Ordinal));

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
