using System.Net;
using System.Net.Sockets;
using Mesh.Bench.Tool.Cli;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// <c>mesh-bench tcp-echo-backend --port P</c>: the TCP benchmark's backend. Every connection gets
/// back what it sends (64 KB reads, each written back before the next read, so a client that stops
/// reading stops being read), and a half-close once the client half-closed.
/// </summary>
public static class TcpEchoBackendCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var port = args.Int("port", 0);
        args.EnsureAllUsed();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(4096);
        Console.WriteLine($"tcp echo backend on 127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");
        while (true)
        {
            var connection = await listener.AcceptAsync();
            _ = EchoAsync(connection);
        }
    }

    private static async Task EchoAsync(Socket connection)
    {
        using var socket = connection;
        socket.NoDelay = true;
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            {
                var sent = 0;
                while (sent < read)
                {
                    sent += await socket.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None);
                }
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The client reset: nothing to answer.
        }
    }
}
