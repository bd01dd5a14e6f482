using System.Net;
using System.Net.Sockets;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// Whether this host can bind <c>[::1]</c>: IPv6 may be compiled in and still be off (a container
/// or namespace with <c>disable_ipv6</c>), and a listener that cannot bind stops the proxy. Capture
/// listens on IPv6 only where it can (docs/capture.md).
/// </summary>
internal static class IPv6Loopback
{
    public static bool Available { get; } = Probe();

    private static bool Probe()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
