using System.Net.Security;
using System.Net.Sockets;

namespace Mesh.Proxy.L4.Upstream;

/// <summary>An established upstream connection: the socket and the stream bytes go through (TLS or not).</summary>
internal sealed class UpstreamConnection(Socket socket, Stream stream, SslStream? tls, string address) : IAsyncDisposable
{
    public Socket Socket { get; } = socket;

    public Stream Stream { get; } = stream;

    public SslStream? Tls { get; } = tls;

    /// <summary>The <c>ip:port</c> connected to.</summary>
    public string Address { get; } = address;

    /// <summary>
    /// Half-close: no more bytes from us, the peer may still send. Over TLS too this is the TCP
    /// shutdown after the last record (the stream writes straight to the socket): a close_notify
    /// (SslStream.ShutdownAsync) may not run while the other direction's read is pending.
    /// </summary>
    public ValueTask ShutdownSendAsync()
    {
        Socket.Shutdown(SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }

    /// <summary>Aborts with a TCP reset, so the upstream sees the downstream's failure.</summary>
    public void Reset()
    {
        try
        {
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        Socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Stream.DisposeAsync();
        }
        catch (IOException)
        {
        }

        Socket.Dispose();
    }
}
