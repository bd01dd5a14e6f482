using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Samples.Tests.Infrastructure;

/// <summary>A plain TCP client: send bytes, half-close, read what comes back.</summary>
public sealed class TcpEchoClient : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationToken _guard = SampleSettings.HangGuard();

    private TcpEchoClient(Socket socket) => _socket = socket;

    public static async Task<TcpEchoClient> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return new TcpEchoClient(socket);
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await _socket.SendAsync(bytes, _guard)..];
        }
    }

    /// <summary>Closes the sending side only (FIN); the server can still answer.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads exactly <paramref name="count"/> bytes (fails if the connection ends first).</summary>
    public async Task<byte[]> ReceiveExactlyAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), _guard);
            Assert.True(n > 0, $"connection closed after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }

    public async Task<string> ReceiveExactlyAsync(string expected) =>
        Encoding.UTF8.GetString(await ReceiveExactlyAsync(Encoding.UTF8.GetByteCount(expected)));

    /// <summary>Everything until the server closes the connection (FIN); a reset fails the test.</summary>
    public async Task<byte[]> ReceiveToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await _socket.ReceiveAsync(buffer, _guard)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    public void Dispose() => _socket.Dispose();
}
