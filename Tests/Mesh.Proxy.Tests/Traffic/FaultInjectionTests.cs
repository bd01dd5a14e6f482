using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Testing.Grpc;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>VirtualService fault injection (Envoy's fault filter): delays and aborts, by percentage, for HTTP and gRPC.</summary>
public sealed class FaultInjectionTests
{
    private static readonly string Ratings = ClusterName("ratings", 9080);

    [Fact]
    public async Task Delay_holds_the_request_before_it_is_forwarded_and_is_flagged_DI()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", context => context.Response.WriteAsync("rated"));
        var clock = new TestClock();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080), clock: clock);
        var jason = To(Ratings, "jason", HeaderExact("end-user", "jason")).WithDelay(TimeSpan.FromSeconds(7));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, jason, To(Ratings))], [Cluster(Ratings, backend)]));
        var url = TestHttp.Local(proxy.OutboundPort("ratings"), "/ratings/0");

        // Requests not matching the faulty route are not delayed: they complete with the clock standing still.
        Assert.Equal("rated", await bed.Client.GetStringAsync(url));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("end-user", "jason");
        var delayed = bed.Client.SendAsync(request);

        await clock.WaitForTimerAsync("the 7 s fault delay", TimeSpan.FromSeconds(7));
        Assert.Equal(1, backend.RequestCount); // held before it is forwarded
        clock.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal("rated", await (await delayed).Content.ReadAsStringAsync());
        Assert.Equal(2, backend.RequestCount);
        await Poll.UntilAsync("two requests completed", () => proxy.Observer.Requests.Count == 2);
        var completed = proxy.Observer.Requests.ToArray();
        Assert.Equal(ResponseFlags.None, completed[0].Flags);
        Assert.Equal(ResponseFlags.DelayInjected, completed[1].Flags);
    }

    [Theory]
    [InlineData(500u)]
    [InlineData(503u)]
    [InlineData(418u)]
    public async Task Abort_answers_with_the_status_without_reaching_the_backend(uint status)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithAbort(status).WithRetries(2, "5xx"))], [Cluster(Ratings, backend)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/ratings/0"));

        Assert.Equal((int)status, (int)response.StatusCode);
        Assert.Equal("fault filter abort", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, backend.RequestCount);
        var completed = await proxy.Observer.ForPathAsync("/ratings/0");
        Assert.Equal(ResponseFlags.FaultInjected, completed.Flags);
        Assert.Equal("FI", completed.FlagsText);
        Assert.Equal(0, completed.Attempts); // aborted before the router: never retried
    }

    [Fact]
    public async Task Abort_percentage_holds_within_statistical_tolerance()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithAbort(503, percentage: 30))], [Cluster(Ratings, backend)]));
        var url = TestHttp.Local(proxy.OutboundPort("ratings"), "/");

        const int total = 600;
        var aborted = 0;
        for (var i = 0; i < total; i++)
        {
            if ((await bed.Client.GetAsync(url)).StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                aborted++;
            }
        }

        // Binomial(600, 0.3): mean 180, standard deviation 11.2; ±5 sd keeps the test stable and still meaningful.
        Assert.InRange(aborted, 124, 236);
        Assert.Equal(total - aborted, backend.RequestCount);
    }

    [Fact]
    public async Task Delay_percentage_delays_about_that_share_and_only_that_share()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithDelay(TimeSpan.FromMilliseconds(150), percentage: 25))], [Cluster(Ratings, backend)]));
        var url = TestHttp.Local(proxy.OutboundPort("ratings"), "/");

        const int total = 400;
        var durations = new TimeSpan[total];
        await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = 40 }, async (i, ct) =>
        {
            var watch = Stopwatch.StartNew();
            (await bed.Client.GetAsync(url, ct)).EnsureSuccessStatusCode();
            durations[i] = watch.Elapsed;
        });

        await Poll.UntilAsync("every request completed", () => proxy.Observer.Requests.Count == total);
        var flagged = proxy.Observer.Requests.Count(r => r.Flags == ResponseFlags.DelayInjected);

        // Binomial(400, 0.25): mean 100, standard deviation 8.7.
        Assert.InRange(flagged, 57, 143);
        Assert.True(durations.Count(d => d >= TimeSpan.FromMilliseconds(145)) >= flagged, "every delayed request took at least the delay");
    }

    [Theory]
    [InlineData("UNAVAILABLE", StatusCode.Unavailable)]
    [InlineData("NOT_FOUND", StatusCode.NotFound)]
    [InlineData("RESOURCE_EXHAUSTED", StatusCode.ResourceExhausted)]
    public async Task Grpc_abort_fails_the_call_with_the_grpc_status(string grpcStatus, StatusCode expected)
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var server = await GrpcEchoBackend.StartAsync("echo");
        var (client, proxy) = await GrpcClientAsync(bed, server, To(ClusterName("echo", 9090)).WithGrpcAbort(grpcStatus));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { Text = "hi" }));

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal("fault filter abort", error.Status.Detail);
        Assert.Equal(0, server.Calls);
        Assert.Equal(ResponseFlags.FaultInjected, (await proxy.Observer.ForPathAsync("/mesh.tests.v1.Echo/Say")).Flags);
    }

    [Fact]
    public async Task Http_abort_of_a_grpc_call_maps_to_the_grpc_status_as_Envoy_does()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var server = await GrpcEchoBackend.StartAsync("echo");
        var (client, _) = await GrpcClientAsync(bed, server, To(ClusterName("echo", 9090)).WithAbort(503));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.SayAsync(new EchoRequest { Text = "hi" }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(0, server.Calls);
    }

    private static async Task<(Echo.EchoClient Client, ProxyHost Proxy)> GrpcClientAsync(MeshTestBed bed, GrpcEchoBackend server, Route route)
    {
        var cluster = ClusterName("echo", 9090);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("echo", 9090, protocol: "GRPC"));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("echo", 9090, route)], [Cluster(cluster, Protocol.Grpc, server.Port)]));
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{proxy.OutboundPort("echo")}");
        return (new Echo.EchoClient(channel), proxy);
    }
}
