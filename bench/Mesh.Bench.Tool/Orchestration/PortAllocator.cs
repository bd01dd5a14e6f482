using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// Free loopback ports for the processes the harness starts (processes like nginx cannot report a
/// port they picked themselves). The OS picks each one; the harness never hands out a port twice.
/// </summary>
public sealed class PortAllocator
{
    private readonly HashSet<int> _given = [];

    public int Next()
    {
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            if (_given.Add(port))
            {
                return port;
            }
        }
    }
}
