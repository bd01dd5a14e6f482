using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// Free loopback ports for the processes the harness starts (nginx and HAProxy cannot report a
/// port they picked themselves). Ports come from below Linux's ephemeral range (32768+), so a
/// port handed out here is not taken by someone's outgoing connection or port-0 listener before
/// the process binds it; each is checked free and never handed out twice.
/// </summary>
public sealed class PortAllocator
{
    private const int First = 20000;
    private const int Last = 32000;
    private readonly HashSet<int> _given = [];

    public int Next()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            if (!_given.Contains(port) && IsFree(port))
            {
                _given.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{Last}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
