using System.Net;
using System.Net.Sockets;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Gateway.GatewaySnapshots;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>Graceful drain: on shutdown the gateway stops accepting at once and lets requests in flight finish, up to the drain timeout.</summary>
public sealed class GatewayDrainTests
{
    private static readonly string Slow = ClusterName("slow", 80);

    [Fact]
    public async Task Shutdown_refuses_new_connections_and_finishes_requests_in_flight()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = await bed.BackendAsync("slow", async context =>
        {
            await release.Task;
            await context.Response.WriteAsync("finished");
        });
        var gateway = await StartGatewayAsync(bed, slow, drainTimeout: null);
        var port = gateway.Port(ListenerKind.Gateway);

        var inFlight = bed.Client.GetAsync(TestHttp.Local(port, "/work"));
        await Poll.UntilAsync("the request reached the backend", () => slow.RequestCount == 1);
        var stopping = gateway.DisposeAsync().AsTask();

        await Poll.UntilAsync("the listener closed", async () => !await AcceptsAsync(port));
        Assert.False(inFlight.IsCompleted);
        release.SetResult();

        var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Requests_still_running_at_the_drain_timeout_are_cut()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var never = new TaskCompletionSource();
        var stuck = await bed.BackendAsync("slow", async context =>
        {
            await never.Task.WaitAsync(context.RequestAborted);
        });
        var gateway = await StartGatewayAsync(bed, stuck, drainTimeout: TimeSpan.FromMilliseconds(300));

        var inFlight = bed.Client.GetAsync(TestHttp.Local(gateway.Port(ListenerKind.Gateway), "/stuck"));
        await Poll.UntilAsync("the request reached the backend", () => stuck.RequestCount == 1);
        // The host's shutdown timeout runs on the wall clock (HostOptions has no TimeProvider): the
        // request never finishes, so the drain ends only by cutting it; it must first have waited
        // the drain timeout (a lower bound cannot fail on a slow machine; no upper bound is asserted).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await gateway.DisposeAsync().AsTask().WaitAsync(Poll.DefaultBudget);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"drained for {clock.Elapsed}, less than the 300 ms drain timeout");
        await Assert.ThrowsAsync<HttpRequestException>(() => inFlight);
    }

    private static async Task<ProxyHost> StartGatewayAsync(MeshTestBed bed, TestBackend backend, TimeSpan? drainTimeout)
    {
        var settings = ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 80);
        if (drainTimeout is { } timeout)
        {
            settings.With("Mesh:Gateway:DrainTimeout", timeout.ToString());
        }

        var gateway = await ProxyHost.StartAsync(settings);
        var http = HttpServer("gw.default/http", 80, ["*"]);
        await bed.ApplyAsync(Snapshot("1", [HostOf(http, ["*"], To(Slow))], [Cluster(Slow, backend)]).WithServers(http));
        return gateway;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
