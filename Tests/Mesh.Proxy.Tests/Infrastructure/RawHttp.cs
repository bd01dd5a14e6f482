using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 keep-alive GETs on one socket with preallocated buffers: a client that allocates
/// (almost) nothing per request, for allocation measurements. Expects a 200 with Content-Length.
/// </summary>
internal sealed class RawHttpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _request;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RawHttpClient(Socket socket, string host)
    {
        _socket = socket;
        _request = Encoding.ASCII.GetBytes($"GET /lean HTTP/1.1\r\nHost: {host}\r\nUser-Agent: raw\r\nAccept: */*\r\n\r\n");
    }

    public static async Task<RawHttpClient> ConnectAsync(int port, string host)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawHttpClient(socket, host);
    }

    public async ValueTask GetAsync()
    {
        await _socket.SendAsync(_request.AsMemory(), SocketFlags.None);
        var filled = 0;
        int headEnd;
        while ((headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += await ReceiveAsync(filled);
        }

        var total = headEnd + 4 + ContentLength(_buffer.AsSpan(0, headEnd));
        while (filled < total)
        {
            filled += await ReceiveAsync(filled);
        }

        if (filled != total)
        {
            throw new InvalidDataException($"{filled - total} bytes after the response");
        }
    }

    private async ValueTask<int> ReceiveAsync(int offset)
    {
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(offset), SocketFlags.None);
        return read > 0 ? read : throw new IOException("the server closed the connection");
    }

    private static int ContentLength(ReadOnlySpan<byte> head)
    {
        if (!head.StartsWith("HTTP/1.1 200 "u8))
        {
            throw new InvalidDataException($"not a 200: {Encoding.ASCII.GetString(head)}");
        }

        const string Name = "content-length:";
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            if (line.Length > Name.Length && System.Text.Ascii.EqualsIgnoreCase(line[..Name.Length], Name)
                && Utf8Parser.TryParse(line[Name.Length..].Trim((byte)' '), out int length, out _))
            {
                return length;
            }
        }

        throw new InvalidDataException($"no Content-Length: {Encoding.ASCII.GetString(head)}");
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// An HTTP/1.1 backend on 127.0.0.1 that answers every request head with the same 1 KB 200 from
/// a preallocated buffer (nginx's role in bench/), allocating (almost) nothing per request.
/// Requests must have no body.
/// </summary>
internal sealed class RawHttpBackend : IAsyncDisposable
{
    private static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1024\r\n\r\n" + new string('x', 1024));

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _connections = [];
    private readonly Task _accepting;

    private RawHttpBackend()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static RawHttpBackend Start() => new();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(socket);
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                int headEnd;
                while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
                {
                    var consumed = headEnd + 4;
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                    await socket.SendAsync(Response.AsMemory(), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (Exception)
        {
            // The proxy closed its connection, or the backend stopped: nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            _connections.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }
}
