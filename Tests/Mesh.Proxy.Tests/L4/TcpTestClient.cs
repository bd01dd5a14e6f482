using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Proxy.Tests.L4;

/// <summary>A raw TCP client of a proxy listener, with the operations L4 tests need.</summary>
public sealed class TcpTestClient : IAsyncDisposable
{
    private readonly StringBuilder _pending = new();

    private TcpTestClient(Socket socket)
    {
        Socket = socket;
    }

    public Socket Socket { get; }

    public static async Task<TcpTestClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new TcpTestClient(socket);
    }

    public Task SendAsync(string text) => TcpBackend.SendAllAsync(Socket, Encoding.UTF8.GetBytes(text), CancellationToken.None);

    public Task SendAsync(ReadOnlyMemory<byte> data) => TcpBackend.SendAllAsync(Socket, data, CancellationToken.None);

    /// <summary>Half-close: no more bytes from the client.</summary>
    public void ShutdownSend() => Socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one line (without its newline); null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        while (true)
        {
            var text = _pending.ToString();
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                _pending.Remove(0, newline + 1);
                return text[..newline];
            }

            var read = await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0)
            {
                return null;
            }

            _pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    /// <summary>Reads until the peer's end of stream.</summary>
    public async Task<byte[]> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (read == 0)
            {
                return all.ToArray();
            }

            all.Write(buffer, 0, read);
        }
    }

    /// <summary>Sends <paramref name="text"/>, then reads: what a caller sees of a proxy that may close or reset at any point.</summary>
    /// <summary>
    /// Connects, sends <paramref name="text"/> and reports what comes back. A proxy that resets at
    /// once can do so before the connect's completion is observed: that is the reset outcome too.
    /// </summary>
    public static async Task<ReadOutcome> OutcomeOfConnectionAsync(int port, string text)
    {
        TcpTestClient client;
        try
        {
            client = await ConnectAsync(port);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ReadOutcome.Reset;
        }

        await using (client)
        {
            return await client.SendThenReadOutcomeAsync(text);
        }
    }

    public async Task<ReadOutcome> SendThenReadOutcomeAsync(string text)
    {
        try
        {
            await SendAsync(text);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            return ReadOutcome.Reset;
        }

        return await ReadOutcomeAsync();
    }

    /// <summary>What the next read sees: end of stream (0), a reset (exception), or data.</summary>
    public async Task<ReadOutcome> ReadOutcomeAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var buffer = new byte[1];
        try
        {
            return await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) == 0 ? ReadOutcome.EndOfStream : ReadOutcome.Data;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ReadOutcome.Reset;
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

public enum ReadOutcome
{
    Data,
    EndOfStream,
    Reset,
}
