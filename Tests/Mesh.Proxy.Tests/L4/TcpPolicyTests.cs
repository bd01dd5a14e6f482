using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Mesh.Proxy.Tests.L4.L4Snapshots;

namespace Mesh.Proxy.Tests.L4;

/// <summary>
/// DestinationRule connectionPool.tcp and outlierDetection on L4 clusters: maxConnections refuses
/// and counts, idle and connect timeouts (on a fake clock), ejection of an endpoint that refuses
/// connections, and back-pressure when a peer stops reading.
/// </summary>
public sealed class TcpPolicyTests
{
    private const int ServicePort = 9000;
    private static readonly string Cluster = ClusterName("tcp-echo", ServicePort);

    [Fact]
    public async Task Connections_over_max_connections_are_refused_and_counted()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var backend = TcpBackend.LineEcho("one");
        var proxy = await TcpRelayTests.BindAsync(bed, backend, cluster: TcpCluster(Cluster, backend.Port).WithPool(maxConnections: 1));

        var first = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await first.SendAsync("a\n");
        Assert.Equal("one a", await first.ReadLineAsync());

        try
        {
            await using var second = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
            Assert.NotEqual(ReadOutcome.Data, await second.ReadOutcomeAsync());
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The proxy's refusal can reset the connection before the client's connect returns (CI, 2026-12-07).
        }

        var stats = await ClusterStatsAsync(proxy, Cluster);
        Assert.Equal(1, stats.GetProperty("overflows").GetInt32());
        Assert.Equal(1, backend.Accepted);

        await first.DisposeAsync();
        await Poll.UntilAsync("the first connection's slot is released", async () => (await ClusterStatsAsync(proxy, Cluster)).GetProperty("active").GetInt32() == 0);
        await using var third = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await third.SendAsync("c\n");
        Assert.Equal("one c", await third.ReadLineAsync());
    }

    [Fact]
    public async Task Idle_timeout_closes_both_sides()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var time = new FakeTimeProvider();
        var backendSawEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TcpBackend.Start(async (socket, token) =>
        {
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
            {
                await TcpBackend.SendAllAsync(socket, buffer.AsMemory(0, read), token);
            }

            backendSawEnd.TrySetResult();
        });
        var proxy = await TcpRelayTests.BindAsync(bed, backend, s => s.AddSingleton<TimeProvider>(time), TcpCluster(Cluster, backend.Port).WithPool(idleTimeout: TimeSpan.FromSeconds(30)));

        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await client.SendAsync("ping\n");
        Assert.Equal("ping", await client.ReadLineAsync());

        time.Advance(TimeSpan.FromSeconds(29));
        await client.SendAsync("still\n");
        Assert.Equal("still", await client.ReadLineAsync());

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.NotEqual(ReadOutcome.Data, await client.ReadOutcomeAsync());
        await backendSawEnd.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_connect_timeout_resets_the_caller()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var time = new FakeTimeProvider();

        // A listener whose accept queue is full: the kernel drops new SYNs, so connecting hangs.
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackhole.Listen(0);
        var port = ((IPEndPoint)blackhole.LocalEndPoint!).Port;
        using var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

        var proxy = await TcpRelayTests.BindAsync(bed, null!, s => s.AddSingleton<TimeProvider>(time), TcpCluster(Cluster, port).WithPool(connectTimeout: TimeSpan.FromSeconds(2)));
        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await client.SendAsync("hello?\n");
        var outcome = client.ReadOutcomeAsync(TimeSpan.FromSeconds(60));

        // The proxy's dial waits on the fake clock: move it until the dial gave up.
        await Poll.UntilAsync(
            "the connect timeout fired",
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(2));
                return outcome.IsCompleted;
            },
            budget: TimeSpan.FromSeconds(30));

        Assert.Equal(ReadOutcome.Reset, await outcome);
        Assert.Equal(1, (await ClusterStatsAsync(proxy, Cluster)).GetProperty("connect_failures").GetInt32());
    }

    [Fact]
    public async Task An_endpoint_that_refuses_is_ejected_until_its_ejection_time_passed()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var time = new FakeTimeProvider();
        await using var good = TcpBackend.LineEcho("good");
        var bad = TcpRelayTests.FreePort();
        var cluster = TcpCluster(Cluster, bad, good.Port);
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5XxErrors = 1,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
            MaxEjectionPercent = 50,
        };
        var proxy = await TcpRelayTests.BindAsync(bed, good, s => s.AddSingleton<TimeProvider>(time), cluster);

        // Round robin starts with the refusing endpoint: the caller is reset and the endpoint ejected.
        Assert.Equal(ReadOutcome.Reset, await OutcomeOfOneLineAsync(proxy));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(ReadOutcome.Data, await OutcomeOfOneLineAsync(proxy));
        }

        var ejected = (await ClusterStatsAsync(proxy, Cluster)).GetProperty("endpoints").EnumerateArray().Single(e => e.GetProperty("address").GetString() == $"127.0.0.1:{bad}");
        Assert.True(ejected.GetProperty("ejected").GetBoolean());

        time.Advance(TimeSpan.FromSeconds(31));
        var outcomes = new[] { await OutcomeOfOneLineAsync(proxy), await OutcomeOfOneLineAsync(proxy) };
        Assert.Contains(ReadOutcome.Reset, outcomes);
    }

    [Fact]
    public async Task A_peer_that_stops_reading_stops_the_proxy_reading_and_nothing_is_lost()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var startReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long received = 0;
        await using var backend = TcpBackend.Start(async (socket, token) =>
        {
            await startReading.Task.WaitAsync(token);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
            {
                Interlocked.Add(ref received, read);
            }

            socket.Shutdown(SocketShutdown.Send);
        });
        var proxy = await TcpRelayTests.BindAsync(bed, backend);
        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));

        // The client writes as fast as it can: 256 MB if the proxy took everything.
        const long total = 256L * 1024 * 1024;
        long sent = 0;
        var chunk = new byte[64 * 1024];
        var writing = Task.Run(async () =>
        {
            while (Interlocked.Read(ref sent) < total)
            {
                await client.SendAsync(chunk);
                Interlocked.Add(ref sent, chunk.Length);
            }

            client.ShutdownSend();
        });

        // Writes stall once the kernel buffers on both hops and the proxy's bounded input pipe are
        // full: the count stops moving over several of Poll's (growing) probe intervals.
        var last = -1L;
        var unchanged = 0;
        await Poll.UntilAsync(
            "the client's writes stall",
            () =>
            {
                var now = Interlocked.Read(ref sent);
                unchanged = now == last && now > 0 ? unchanged + 1 : 0;
                last = now;
                return unchanged >= 8 || writing.IsCompleted;
            },
            lastSeen: () => $"{last} bytes sent, unchanged over {unchanged} probes",
            budget: TimeSpan.FromMinutes(2));
        Assert.False(writing.IsCompleted, "the proxy accepted everything the client wrote although nobody read it");
        Assert.InRange(Interlocked.Read(ref sent), 1, 64L * 1024 * 1024);

        // Once the backend reads, everything arrives.
        startReading.TrySetResult();
        await writing.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(ReadOutcome.EndOfStream, await client.ReadOutcomeAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(total, Interlocked.Read(ref received));
    }

    private static async Task<ReadOutcome> OutcomeOfOneLineAsync(ProxyHost proxy)
    {
        return await TcpTestClient.OutcomeOfConnectionAsync(proxy.OutboundPort("tcp-echo"), "x\n");
    }

    internal static async Task<JsonElement> ClusterStatsAsync(ProxyHost proxy, string cluster)
    {
        using var http = TestHttp.CreateClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync(TestHttp.Local(proxy.AdminPort, "/tcp_clusters")));
        return document.RootElement.EnumerateArray().Single(c => c.GetProperty("name").GetString() == cluster).Clone();
    }
}
