using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>
/// Connections a client opened before it needed them (pools pre-connect; the benchmark's load
/// generator keeps 16) on the listeners that tell TLS from plaintext by the first byte: inbound
/// (PERMISSIVE) and gateway. They once closed after 10 s without a byte, so a client sending its
/// first request on such a spare lost it ("connection closed with a request in flight", issue 22).
/// The proxy's clock is fake; the test waits for the proxy to arm its timer, never for time.
/// </summary>
public sealed class SpareConnectionTests
{
    private static readonly TimeSpan KeepAlive = new KestrelServerLimits().KeepAliveTimeout;

    [Theory]
    [InlineData(ListenerKind.Inbound)]
    [InlineData(ListenerKind.Gateway)]
    public async Task A_connection_unused_for_a_minute_still_takes_its_first_request(ListenerKind kind)
    {
        var clock = new TestClock();
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("app");
        var settings = kind == ListenerKind.Inbound
            ? ProxySettings.Sidecar(bed.ControlPlane.Address).Inbound("reviews", "http", 9080, app.Port)
            : ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 80);
        var proxy = await bed.ProxyAsync(settings, clock: clock);
        await bed.ApplyAsync(Snapshot("1", [], []));

        using var spare = await ConnectAndWaitForIdleTimerAsync(clock, proxy.Port(kind));
        clock.Advance(TimeSpan.FromMinutes(1));

        // Inbound forwards to the app; the gateway has no server for the host (404): either way a
        // whole response on the connection opened a minute earlier.
        var status = await GetAsync(spare);
        Assert.Equal(kind == ListenerKind.Inbound ? 200 : 404, status);
    }

    [Fact]
    public async Task A_connection_that_never_sends_a_byte_closes_after_the_keep_alive_timeout()
    {
        var clock = new TestClock();
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("app");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Inbound("reviews", "http", 9080, app.Port), clock: clock);
        await bed.ApplyAsync(Snapshot("1", [], []));

        using var silent = await ConnectAndWaitForIdleTimerAsync(clock, proxy.Port(ListenerKind.Inbound));
        clock.Advance(KeepAlive);

        Assert.Equal(0, await silent.ReceiveAsync(new byte[1], SocketFlags.None));
    }

    /// <summary>One GET on a raw socket; the response's status code (the body is read to its end).</summary>
    private static async Task<int> GetAsync(Socket socket)
    {
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: reviews:9080\r\n\r\n"u8.ToArray(), SocketFlags.None);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var client = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await client.ReadLineAsync() ?? throw new IOException("the proxy closed the connection with the request in flight");
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Connects and waits until the listener armed a timer of at least 5 s for the silent connection.</summary>
    private static async Task<Socket> ConnectAndWaitForIdleTimerAsync(TestClock clock, int port)
    {
        static bool Idle(TimeSpan due) => due >= TimeSpan.FromSeconds(5);
        var before = clock.ArmedTimers.Count(Idle);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await Poll.UntilAsync("the listener waits for the connection's first byte (a timer of 5 s or more)", () => clock.ArmedTimers.Count(Idle) > before);
        return socket;
    }
}
