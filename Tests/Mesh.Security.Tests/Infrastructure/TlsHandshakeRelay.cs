using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 placed between two sidecars: it forwards every byte unchanged and
/// reads, from each connection's first server record, whether the TLS handshake was full or
/// resumed. A TLS 1.3 ServerHello that accepts a resumption ticket carries the
/// <c>pre_shared_key</c> extension (RFC 8446 §4.2.11); a full handshake's does not. The
/// ServerHello is the last plaintext handshake message, so the wire tells it without any key.
/// </summary>
public sealed class TlsHandshakeRelay : IAsyncDisposable
{
    private const ushort PreSharedKeyExtension = 41;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly Task _accepting;
    private int _connections;
    private int _full;
    private int _resumed;
    private readonly System.Collections.Concurrent.ConcurrentQueue<char> _sequence = new();

    private TlsHandshakeRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>TCP connections relayed so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Handshakes whose ServerHello did not resume a session.</summary>
    public int FullHandshakes => Volatile.Read(ref _full);

    /// <summary>Handshakes whose ServerHello accepted a pre-shared key (a resumed session).</summary>
    public int ResumedHandshakes => Volatile.Read(ref _resumed);

    /// <summary>The handshakes in the order their ServerHello passed: F full, R resumed.</summary>
    public string Sequence => string.Concat(_sequence);

    public override string ToString() => $"{Connections} connections, {FullHandshakes} full and {ResumedHandshakes} resumed handshakes ({Sequence})";

    public static TlsHandshakeRelay Start(int targetPort) => new(targetPort);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var _ = client;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _targetPort), _stop.Token);
            var up = PumpAsync(client, server, inspect: false);
            var down = PumpAsync(server, client, inspect: true);
            await Task.WhenAll(up, down);
        }
        catch (Exception)
        {
            // A relay failure shows up as the sidecars' connection failure, which the test asserts.
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool inspect)
    {
        var buffer = new byte[16 * 1024];
        var head = inspect ? new MemoryStream() : null;
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                if (head is not null)
                {
                    head.Write(buffer, 0, read);
                    if (ServerHelloResumed(head.GetBuffer().AsSpan(0, (int)head.Length)) is { } resumed)
                    {
                        Interlocked.Increment(ref resumed ? ref _resumed : ref _full);
                        _sequence.Enqueue(resumed ? 'R' : 'F');
                        head = null;
                    }
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            // The other side went away: the peer pump ends the same way.
            try
            {
                to.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Null until the first record (a ServerHello) is complete; then whether it resumed.</summary>
    private static bool? ServerHelloResumed(ReadOnlySpan<byte> bytes)
    {
        // TLSPlaintext: type(1) = handshake(22), version(2), length(2); then Handshake: type(1) = server_hello(2), length(3).
        if (bytes.Length < 5)
        {
            return null;
        }

        var recordLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[3..]);
        if (bytes.Length < 5 + recordLength)
        {
            return null;
        }

        var hello = bytes.Slice(5, recordLength);
        if (bytes[0] != 22 || hello[0] != 2)
        {
            throw new InvalidDataException($"the server's first record is not a ServerHello (record type {bytes[0]}, handshake type {hello[0]})");
        }

        // legacy_version(2), random(32), legacy_session_id<0..32>, cipher_suite(2), compression(1), extensions<..>.
        var at = 4 + 2 + 32;
        at += 1 + hello[at];
        at += 2 + 1;
        var end = at + 2 + BinaryPrimitives.ReadUInt16BigEndian(hello[at..]);
        for (at += 2; at + 4 <= end; at += 4 + BinaryPrimitives.ReadUInt16BigEndian(hello[(at + 2)..]))
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(hello[at..]) == PreSharedKeyExtension)
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
