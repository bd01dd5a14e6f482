using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Proxy.Tests.L4;

/// <summary>A TCP server on 127.0.0.1 (port chosen by the OS) whose connections a test handler serves.</summary>
public sealed class TcpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    private TcpBackend(Func<Socket, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Sockets the backend accepted (the test may inspect or break them).</summary>
    public ConcurrentQueue<Socket> Sockets { get; } = new();

    public static TcpBackend Start(Func<Socket, CancellationToken, Task> handler) => new(handler);

    /// <summary>Echoes every byte; at the caller's end of stream, half-closes back after the last byte.</summary>
    public static TcpBackend Echo() => Start(EchoAsync);

    /// <summary>Answers each line with "&lt;prefix&gt; &lt;line&gt;" (Istio's tcp-echo).</summary>
    public static TcpBackend LineEcho(string prefix) => Start((socket, token) => LineEchoAsync(socket, prefix, token));

    /// <summary>Terminates TLS with <paramref name="certificate"/>, then answers each line with "&lt;prefix&gt; &lt;line&gt;".</summary>
    public static TcpBackend TlsLineEcho(string prefix, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => Start(async (socket, token) =>
    {
        await using var tls = new System.Net.Security.SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsServerAsync(new System.Net.Security.SslServerAuthenticationOptions { ServerCertificate = certificate }, token);
        using var reader = new StreamReader(tls, Encoding.UTF8, leaveOpen: true);
        while (await reader.ReadLineAsync(token) is { } line)
        {
            await tls.WriteAsync(Encoding.UTF8.GetBytes($"{prefix} {line}\n"), token);
        }
    });

    public static async Task EchoAsync(Socket socket, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            if (read == 0)
            {
                socket.Shutdown(SocketShutdown.Send);
                return;
            }

            await SendAllAsync(socket, buffer.AsMemory(0, read), token);
        }
    }

    public static async Task LineEchoAsync(Socket socket, string prefix, CancellationToken token)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(token) is { } line)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"{prefix} {line}\n"), token);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None, token)..];
        }
    }

    private async Task AcceptAsync()
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

            Interlocked.Increment(ref _accepted);
            Sockets.Enqueue(socket);
            _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await _handler(socket, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var socket in Sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}
