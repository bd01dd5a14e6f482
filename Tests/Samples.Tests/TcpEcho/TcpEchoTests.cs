using System.Net;
using System.Text;
using Samples.Tests.Infrastructure;

namespace Samples.Tests.TcpEcho;

/// <summary>Istio's tcp-echo behaviour (samples/tcp-echo/src/main.go) over real sockets.</summary>
public sealed class TcpEchoTests
{
    [Fact]
    public async Task Each_line_comes_back_after_the_prefix_and_one_space_with_its_line_ending()
    {
        await using var server = await RunningTcpEcho.StartAsync("one");
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);

        await client.SendAsync("world\n");
        var first = await client.ReceiveExactlyAsync("one world\n");
        await client.SendAsync("hello\r\nagain\n");
        var next = await client.ReceiveExactlyAsync("one hello\r\none again\n");

        Assert.Equal("one world\n", first);
        Assert.Equal("one hello\r\none again\n", next);
    }

    [Fact]
    public async Task A_line_split_over_many_writes_is_answered_once_when_its_newline_arrives()
    {
        await using var server = await RunningTcpEcho.StartAsync("two");
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);

        foreach (var piece in new[] { "wo", "r", "ld", "\n" })
        {
            await client.SendAsync(piece);
        }

        client.ShutdownSend();
        Assert.Equal("two world\n", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
    }

    [Fact]
    public async Task Half_close_answers_every_line_then_closes_and_drops_an_unterminated_tail_like_istio()
    {
        await using var server = await RunningTcpEcho.StartAsync("one");
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);

        // Istio's task does the same with `(date; sleep 1) | nc`: write, then end the input.
        await client.SendAsync("a\nb\nno newline");
        client.ShutdownSend();

        Assert.Equal("one a\none b\n", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
    }

    [Fact]
    public async Task Every_configured_port_echoes_with_the_same_prefix()
    {
        // Istio's Deployments: args [ "9000,9001,9002", "one" ]; here every port is chosen by the OS.
        await using var server = await RunningTcpEcho.StartAsync(["0,0,0", "one"]);

        Assert.Equal(3, server.Endpoints.Echo.Count);
        Assert.Equal(3, server.Endpoints.Echo.Select(e => e.Port).Distinct().Count());
        foreach (var endpoint in server.Endpoints.Echo)
        {
            using var client = await TcpEchoClient.ConnectAsync(endpoint);
            await client.SendAsync($"port {endpoint.Port}\n");
            client.ShutdownSend();
            Assert.Equal($"one port {endpoint.Port}\n", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
        }
    }

    [Fact]
    public async Task Many_concurrent_connections_each_get_their_own_lines_in_order()
    {
        const int Connections = 200;
        const int LinesEach = 20;
        await using var server = await RunningTcpEcho.StartAsync("one");
        var clients = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => TcpEchoClient.ConnectAsync(server.Echo)));
        try
        {
            // All connections open at once, lines interleaved across them.
            for (var line = 0; line < LinesEach; line++)
            {
                await Task.WhenAll(clients.Select((c, i) => c.SendAsync($"client {i} line {line}\n")));
            }

            foreach (var client in clients)
            {
                client.ShutdownSend();
            }

            var answers = await Task.WhenAll(clients.Select(c => c.ReceiveToEndAsync()));
            for (var i = 0; i < Connections; i++)
            {
                var expected = string.Concat(Enumerable.Range(0, LinesEach).Select(line => $"one client {i} line {line}\n"));
                Assert.Equal(expected, Encoding.UTF8.GetString(answers[i]));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(64 * 1024 - 1)]
    [InlineData(64 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    public async Task A_large_line_comes_back_whole_with_one_prefix(int length)
    {
        await using var server = await RunningTcpEcho.StartAsync("one");
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);
        var line = new byte[length + 1];
        Random.Shared.NextBytes(line);
        for (var i = 0; i < length; i++)
        {
            line[i] = line[i] == (byte)'\n' ? (byte)'x' : line[i];
        }

        line[length] = (byte)'\n';

        // Sent and read at the same time: the server answers while the line still arrives.
        var receive = Task.Run(() => client.ReceiveExactlyAsync(4 + line.Length));
        await client.SendAsync(line);
        var answer = await receive;

        Assert.Equal("one "u8.ToArray(), answer[..4]);
        Assert.True(line.AsSpan().SequenceEqual(answer.AsSpan(4)));
    }

    [Fact]
    public async Task A_long_line_and_the_next_short_one_keep_their_own_prefixes()
    {
        await using var server = await RunningTcpEcho.StartAsync("one", ("TcpEcho:MaxBufferedLineBytes", "16"));
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);
        var longLine = new string('x', 100);

        await client.SendAsync(longLine[..40]);
        await client.SendAsync(longLine[40..] + "\nshort\n");
        client.ShutdownSend();

        Assert.Equal($"one {longLine}\none short\n", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
    }

    [Fact]
    public async Task Prefix_and_ports_come_from_configuration_when_there_are_no_arguments()
    {
        await using var server = await RunningTcpEcho.StartAsync(
            [], ("TcpEcho:Ports:0", "0"), ("TcpEcho:Ports:1", "0"), ("TcpEcho:Prefix", "two"));
        using var client = await TcpEchoClient.ConnectAsync(server.Endpoints.Echo[1]);

        await client.SendAsync("x\n");
        client.ShutdownSend();

        Assert.Equal(2, server.Endpoints.Echo.Count);
        Assert.Equal("two x\n", Encoding.UTF8.GetString(await client.ReceiveToEndAsync()));
    }

    [Fact]
    public async Task Stopping_the_server_closes_open_connections_cleanly()
    {
        var server = await RunningTcpEcho.StartAsync("one");
        using var client = await TcpEchoClient.ConnectAsync(server.Echo);
        await client.SendAsync("before stop\n");
        Assert.Equal("one before stop\n", await client.ReceiveExactlyAsync("one before stop\n"));

        await server.DisposeAsync();

        // A FIN, not a reset: Kestrel's close request ends the connection's read loop.
        Assert.Empty(await client.ReceiveToEndAsync());
    }
}
