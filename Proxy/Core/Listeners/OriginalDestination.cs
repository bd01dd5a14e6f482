using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// The destination a captured connection was meant for, read from the kernel's NAT table
/// (Linux <c>getsockopt(SO_ORIGINAL_DST)</c>, what Envoy's original_dst listener filter reads). Set
/// as a connection feature by the capture listeners; the routing of captured connections uses it.
/// IPv4 (<c>SOL_IP</c>) and IPv6 (<c>SOL_IPV6, IP6T_SO_ORIGINAL_DST</c>): capture installs the rules
/// for both (docs/capture.md), and each family has its own capture sockets.
/// </summary>
public sealed class OriginalDestination
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80; // IP6T_SO_ORIGINAL_DST has the same number

    internal OriginalDestination(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// The original destination of <paramref name="connection"/>, or null when it was not
    /// redirected (someone connected to the capture port itself, or no NAT entry: not Linux, IPv6).
    /// </summary>
    internal static OriginalDestination? Read(ConnectionContext connection)
    {
        if (!OperatingSystem.IsLinux() || connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket
            || socket.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return null;
        }

        var v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        Span<byte> address = stackalloc byte[28]; // struct sockaddr_in (16 bytes) or sockaddr_in6 (28)
        try
        {
            if (socket.GetRawSocketOption(v6 ? SolIpv6 : SolIp, SoOriginalDst, address) < (v6 ? 24 : 8))
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null; // ENOENT: no NAT entry
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        var endPoint = new IPEndPoint(v6 ? new IPAddress(address.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(address[24..])) : new IPAddress(address.Slice(4, 4)), port);

        // A connection made to the capture port itself has itself as "original" destination.
        return connection.LocalEndPoint is IPEndPoint local && local.Equals(endPoint) ? null : new OriginalDestination(endPoint);
    }
}
