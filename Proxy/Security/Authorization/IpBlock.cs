using System.Net;
using System.Net.Sockets;

namespace Mesh.Proxy.Security.Authorization;

/// <summary>An address or CIDR block (<c>10.0.0.0/8</c>, <c>127.0.0.1</c>, <c>2001:db8::/32</c>).</summary>
internal readonly struct IpBlock
{
    private readonly byte[] _network;
    private readonly int _prefixLength;

    private IpBlock(byte[] network, int prefixLength)
    {
        _network = network;
        _prefixLength = prefixLength;
    }

    public static bool TryParse(string text, out IpBlock block, out string? error)
    {
        block = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
        {
            error = $"'{text}' is not an IP address or CIDR block";
            return false;
        }

        var bytes = Normalize(address).GetAddressBytes();
        var length = bytes.Length * 8;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out length) || length < 0 || length > bytes.Length * 8))
        {
            error = $"'{text}' has an invalid prefix length";
            return false;
        }

        block = new IpBlock(bytes, length);
        error = null;
        return true;
    }

    public bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!Normalize(address).TryWriteBytes(bytes, out var written) || written != _network.Length)
        {
            return false;
        }

        var full = _prefixLength / 8;
        if (!bytes[..full].SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        var rest = _prefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (_network[full] & mask);
    }

    /// <summary>IPv4 callers on dual-stack sockets show up as ::ffff:a.b.c.d; match them as IPv4.</summary>
    public static IPAddress Normalize(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>Blocks that match when any contains the address.</summary>
internal sealed class IpBlockList(IpBlock[] blocks)
{
    public bool Contains(IPAddress? address)
    {
        foreach (var block in blocks)
        {
            if (block.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
