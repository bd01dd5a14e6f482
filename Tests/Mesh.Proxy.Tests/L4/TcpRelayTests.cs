using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.L4.L4Snapshots;

namespace Mesh.Proxy.Tests.L4;

/// <summary>
/// A sidecar's TCP outbound binding relaying to a TCP backend over real sockets: bytes both ways,
/// in order and complete, half-close in each direction, and resets propagated instead of hangs.
/// </summary>
public sealed class TcpRelayTests
{
    private const int ServicePort = 9000;

    [Fact]
    public async Task Sixteen_megabytes_go_through_both_ways_complete_and_in_order()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var backend = TcpBackend.Echo();
        var proxy = await BindAsync(bed, backend);
        var payload = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);

        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        var reading = client.ReadToEndAsync();
        for (var offset = 0; offset < payload.Length; offset += 64 * 1024)
        {
            await client.SendAsync(payload.AsMemory(offset, 64 * 1024));
        }

        client.ShutdownSend();
        var echoed = await reading;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
    }

    [Fact]
    public async Task The_callers_half_close_reaches_the_upstream_which_can_still_answer()
    {
        await using var bed = await MeshTestBed.StartAsync();

        // Reads everything, then answers with how much it read, then closes (a request/response over half-close).
        await using var backend = TcpBackend.Start(async (socket, token) =>
        {
            var total = 0;
            var buffer = new byte[8192];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
            {
                total += read;
            }

            await TcpBackend.SendAllAsync(socket, Encoding.ASCII.GetBytes($"got {total}\n"), token);
            socket.Shutdown(SocketShutdown.Send);
        });
        var proxy = await BindAsync(bed, backend);

        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await client.SendAsync(new string('x', 100_000));
        client.ShutdownSend();

        Assert.Equal("got 100000", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task The_upstreams_half_close_reaches_the_caller_who_can_still_send()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var receivedAfterClose = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Greets, half-closes, then keeps reading what the caller sends.
        await using var backend = TcpBackend.Start(async (socket, token) =>
        {
            await TcpBackend.SendAllAsync(socket, "hello\n"u8.ToArray(), token);
            socket.Shutdown(SocketShutdown.Send);
            try
            {
                var received = new StringBuilder();
                var buffer = new byte[1024];
                int read;
                while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
                {
                    received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }

                receivedAfterClose.TrySetResult(received.ToString());
            }
            catch (Exception ex)
            {
                receivedAfterClose.TrySetException(ex);
            }
        });
        var proxy = await BindAsync(bed, backend);

        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        Assert.Equal("hello", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());
        await client.SendAsync("still here\n");
        client.ShutdownSend();

        Assert.Equal("still here\n", await receivedAfterClose.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task An_upstream_that_refuses_makes_the_proxy_reset_the_caller()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var closedPort = FreePort();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("tcp-echo", ServicePort, "TCP"));
        await bed.ApplyAsync(Snapshot("v1", [Service("tcp-echo", ServicePort, Protocol.Tcp, To(ClusterName("tcp-echo", ServicePort)))], TcpCluster(ClusterName("tcp-echo", ServicePort), closedPort)));

        Assert.Equal(ReadOutcome.Reset, await TcpTestClient.OutcomeOfConnectionAsync(proxy.OutboundPort("tcp-echo"), "anyone?\n"));
    }

    [Fact]
    public async Task An_upstream_reset_mid_stream_resets_the_caller()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var backend = TcpBackend.Start(async (socket, token) =>
        {
            var buffer = new byte[5];
            await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            await TcpBackend.SendAllAsync(socket, "ok\n"u8.ToArray(), token);
            await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        var proxy = await BindAsync(bed, backend);

        await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await client.SendAsync("first");
        Assert.Equal("ok", await client.ReadLineAsync());
        await client.SendAsync("again");

        Assert.Equal(ReadOutcome.Reset, await client.ReadOutcomeAsync());
    }

    [Fact]
    public async Task A_caller_reset_resets_the_upstream()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var upstreamSaw = new TaskCompletionSource<ReadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TcpBackend.Start(async (socket, token) =>
        {
            var buffer = new byte[64];
            try
            {
                while (await socket.ReceiveAsync(buffer, SocketFlags.None, token) > 0)
                {
                }

                upstreamSaw.TrySetResult(ReadOutcome.EndOfStream);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                upstreamSaw.TrySetResult(ReadOutcome.Reset);
            }
        });
        var proxy = await BindAsync(bed, backend);

        var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
        await client.SendAsync("bye");
        await Poll.UntilAsync("the proxy connected upstream", () => backend.Accepted == 1);
        client.Socket.LingerState = new LingerOption(true, 0);
        client.Socket.Close();

        Assert.Equal(ReadOutcome.Reset, await upstreamSaw.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task A_weighted_split_spreads_connections_by_weight_and_round_robin_spreads_endpoints()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var one = TcpBackend.LineEcho("one");
        await using var two = TcpBackend.LineEcho("two");
        await using var twoBis = TcpBackend.LineEcho("two-bis");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("tcp-echo", ServicePort, "TCP"));
        var v1 = ClusterName("tcp-echo", ServicePort, "v1");
        var v2 = ClusterName("tcp-echo", ServicePort, "v2");
        await bed.ApplyAsync(Snapshot(
            "v1",
            [Service("tcp-echo", ServicePort, Protocol.Tcp, Chain("tcp-echo.default/tcp[0]", (v1, 80), (v2, 20)))],
            TcpCluster(v1, one.Port),
            TcpCluster(v2, two.Port, twoBis.Port)));

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 200; i++)
        {
            await using var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("tcp-echo"));
            await client.SendAsync("hi\n");
            var prefix = (await client.ReadLineAsync())!.Split(' ')[0];
            counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
        }

        var twos = counts.GetValueOrDefault("two") + counts.GetValueOrDefault("two-bis");
        Assert.InRange(counts["one"], 130, 190);
        Assert.Equal(200, counts["one"] + twos);

        // Round robin alternates the v2 endpoints.
        Assert.InRange(counts.GetValueOrDefault("two") - counts.GetValueOrDefault("two-bis"), -1, 1);
    }

    [Fact]
    public async Task A_binding_to_a_host_outside_the_mesh_passes_through_with_allow_any_and_is_closed_with_registry_only()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var external = TcpBackend.LineEcho("external");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("127.0.0.1", external.Port, "TCP"));
        await bed.ApplyAsync(new ProxySnapshot { Version = "v1" });

        await using (var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("127.0.0.1")))
        {
            await client.SendAsync("hi\n");
            Assert.Equal("external hi", await client.ReadLineAsync());
        }

        await bed.ApplyAsync(new ProxySnapshot { Version = "v2", OutboundTrafficPolicy = new OutboundTrafficPolicy { Mode = OutboundTrafficPolicy.Types.Mode.RegistryOnly } });
        // Closed at once; with the caller's bytes unread the kernel's close is a reset, as Envoy's is
        // (a reset can even beat the client's own connect completing).
        ReadOutcome outcome;
        try
        {
            await using var refused = await TcpTestClient.ConnectAsync(proxy.OutboundPort("127.0.0.1"));
            outcome = await refused.SendThenReadOutcomeAsync("hi\n");
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            outcome = ReadOutcome.Reset;
        }

        Assert.NotEqual(ReadOutcome.Data, outcome);
        Assert.Equal(1, external.Accepted);
    }

    internal static async Task<ProxyHost> BindAsync(MeshTestBed bed, TcpBackend backend, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null, Cluster? cluster = null)
    {
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("tcp-echo", ServicePort, "TCP"), services);
        var name = ClusterName("tcp-echo", ServicePort);
        await bed.ApplyAsync(Snapshot("v1", [Service("tcp-echo", ServicePort, Protocol.Tcp, To(name))], cluster ?? TcpCluster(name, backend.Port)));
        return proxy;
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
