using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Mesh.Proxy.Dns.Serving;

namespace Mesh.Proxy.Tests.Dns;

/// <summary>
/// The DNS proxy's TCP connections over real sockets (127.0.0.1, port 0), driven as ARSoft's server
/// drives them: it disposes a connection whenever no query of it is being answered, also between two
/// queries of a client that keeps the connection; the connection stays open until the client is done
/// and every query it sent has been answered.
/// </summary>
public sealed class DnsTcpConnectionTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public DnsTcpConnectionTests() => _listener.Start();

    public void Dispose()
    {
        _client.Dispose();
        _listener.Dispose();
    }

    [Fact]
    public async Task A_connection_the_server_disposes_between_two_queries_answers_the_second()
    {
        using var connection = await ConnectAsync();

        await SendQueryAsync(1);
        var first = await connection.ReceiveAsync(CancellationToken.None);
        Assert.True(await connection.SendAsync(Answer(first!), CancellationToken.None));
        connection.Dispose(); // ARSoft: the first query answered before its read loop counted the next read

        await SendQueryAsync(2);
        var second = await connection.ReceiveAsync(CancellationToken.None);
        Assert.NotNull(second);
        Assert.True(await connection.SendAsync(Answer(second), CancellationToken.None));
        Assert.Equal(1, await ReadAnswerIdAsync());
        Assert.Equal(2, await ReadAnswerIdAsync());
    }

    [Fact]
    public async Task A_query_read_before_the_client_closed_its_side_is_still_answered_and_then_the_connection_closes()
    {
        using var connection = await ConnectAsync();

        await SendQueryAsync(7);
        _client.Shutdown(SocketShutdown.Send);
        var query = await connection.ReceiveAsync(CancellationToken.None);
        Assert.Null(await connection.ReceiveAsync(CancellationToken.None));
        Assert.False(connection.CanRead);

        Assert.True(await connection.SendAsync(Answer(query!), CancellationToken.None));
        Assert.Equal(7, await ReadAnswerIdAsync());
        Assert.Equal(0, await _client.ReceiveAsync(new byte[1])); // closed once answered
    }

    [Fact]
    public async Task A_message_that_is_no_dns_message_closes_the_connection()
    {
        using var connection = await ConnectAsync();

        await _client.SendAsync((byte[])[0, 3, 1, 2, 3]);

        Assert.Null(await connection.ReceiveAsync(CancellationToken.None));
        Assert.Equal(0, await _client.ReceiveAsync(new byte[1]));
    }

    private async Task<IServerConnection> ConnectAsync()
    {
        var transport = new BoundTcpTransport(_listener);
        var accepting = transport.AcceptConnectionAsync();
        await _client.ConnectAsync(_listener.LocalEndpoint);
        return (await accepting)!;
    }

    private async Task SendQueryAsync(ushort id)
    {
        // A query for example.com A, with its two-byte length.
        byte[] message = [(byte)(id >> 8), (byte)id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, .. "example"u8, 3, .. "com"u8, 0, 0, 1, 0, 1];
        await _client.SendAsync((byte[])[0, (byte)message.Length, .. message]);
    }

    /// <summary>The query itself with QR set, as its answer (the test reads only the ID).</summary>
    private static DnsRawPackage Answer(DnsRawPackage query)
    {
        var bytes = query.ToArraySegment(true).ToArray()[..(DnsRawPackage.LENGTH_HEADER_LENGTH + query.Length)];
        bytes[DnsRawPackage.LENGTH_HEADER_LENGTH + 2] |= 0x80;
        return new DnsRawPackage(bytes);
    }

    private async Task<int> ReadAnswerIdAsync()
    {
        var length = await ReadExactlyAsync(2);
        var message = await ReadExactlyAsync((length[0] << 8) | length[1]);
        return (message[0] << 8) | message[1];
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await _client.ReceiveAsync(buffer.AsMemory(read));
            Assert.True(n > 0, "the proxy closed the connection");
            read += n;
        }

        return buffer;
    }
}
