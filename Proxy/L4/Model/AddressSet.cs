using System.Net;

namespace Mesh.Proxy.L4.Model;

/// <summary>IP addresses and CIDR blocks (ServiceEntry addresses, destinationSubnets, sourceSubnet).</summary>
internal sealed class AddressSet
{
    private readonly IPNetwork[] _networks;

    private AddressSet(IPNetwork[] networks)
    {
        _networks = networks;
    }

    public static AddressSet Empty { get; } = new([]);

    public bool IsEmpty => _networks.Length == 0;

    public bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses every entry; an invalid one is reported through <paramref name="error"/> and skipped.</summary>
    public static AddressSet Parse(IEnumerable<string> entries, Action<string, string> error)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (entry.Contains('/') ? IPNetwork.TryParse(entry, out var network) : TryHost(entry, out network))
            {
                networks.Add(network);
            }
            else
            {
                error(entry, $"'{entry}' is not an IP address or CIDR block");
            }
        }

        return networks.Count == 0 ? Empty : new AddressSet([.. networks]);
    }

    private static bool TryHost(string entry, out IPNetwork network)
    {
        if (IPAddress.TryParse(entry, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        network = default;
        return false;
    }
}
