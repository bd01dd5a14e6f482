using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Hosting.Tests.Capture;

/// <summary>Answers every HTTP request on its listener with its name as the body.</summary>
internal sealed class NamedHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    public NamedHttpServer(TcpListener listener, string name)
    {
        _listener = listener;
        _listener.Start();
        _ = ServeAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {name.Length}\r\nConnection: close\r\n\r\n{name}"));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://{((IPEndPoint)_listener.LocalEndpoint).Address}:{Port}/";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task ServeAsync(byte[] response)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(socket, response);
        }
    }

    private static async Task AnswerAsync(Socket socket, byte[] response)
    {
        using (socket)
        {
            var buffer = new byte[4096];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await socket.SendAsync(response);
            socket.Shutdown(SocketShutdown.Both);
        }
    }
}
