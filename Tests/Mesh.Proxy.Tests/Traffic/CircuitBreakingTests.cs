using System.Collections.Concurrent;
using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>DestinationRule connectionPool limits (Envoy circuit breakers): overflow is answered 503 with flag UO at once.</summary>
public sealed class CircuitBreakingTests
{
    private static readonly string Httpbin = ClusterName("httpbin", 8000);

    [Fact]
    public async Task One_connection_one_pending_request_and_the_third_concurrent_request_overflows_at_once()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = await bed.BackendAsync("httpbin", async context =>
        {
            await gate.Task;
            await context.Response.WriteAsync("done");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000));
        var cluster = Cluster(Httpbin, backend).WithPool(new ConnectionPool { MaxConnections = 1, Http1MaxPendingRequests = 1 });
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(Httpbin).WithRetries(2, "5xx"))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("httpbin"), "/get");
        var pool = proxy.Services.GetRequiredService<TrafficStateRegistry>().For(Httpbin).Pool;

        var first = bed.Client.GetAsync(url);
        await Poll.UntilAsync("the first request holds the only connection", () => backend.RequestCount == 1);
        var second = bed.Client.GetAsync(url);
        await Poll.UntilAsync("the second request waits for the connection", () => pool.Pending == 1);
        // Answered while the first two are still held (the gate opens below): overflow is not queued.
        var third = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("httpbin"), "/overflow"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: overflow", await third.Content.ReadAsStringAsync());
        Assert.False(first.IsCompleted || second.IsCompleted, "the overflow answer came before the held requests were released");
        var overflowed = await proxy.Observer.ForPathAsync("/overflow");
        Assert.Equal("UO", overflowed.FlagsText);
        Assert.Equal(1, overflowed.Attempts); // never retried, whatever the retry policy says
        Assert.Equal(1, backend.RequestCount);

        gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(2, backend.RequestCount);
        Assert.Equal((0, 0), (pool.Active, pool.Pending));
    }

    /// <summary>
    /// The shape of Istio's circuit-breaking task (fortio against httpbin with maxConnections: 1,
    /// http1MaxPendingRequests: 1, maxRequestsPerConnection: 1): two concurrent connections mostly
    /// get through, three overflow a large share with 503 UO.
    /// </summary>
    [Fact]
    public async Task Fortio_like_load_two_connections_mostly_pass_three_trip_the_breaker()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var connections = new ConcurrentDictionary<string, byte>();
        var backend = await bed.BackendAsync("httpbin", async context =>
        {
            connections.TryAdd(context.Connection.Id, 0);
            await Task.Delay(15);
            await context.Response.WriteAsync("ok");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000));
        var cluster = Cluster(Httpbin, backend).WithPool(new ConnectionPool { MaxConnections = 1, Http1MaxPendingRequests = 1, MaxRequestsPerConnection = 1 });
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(Httpbin))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("httpbin"), "/get");

        var two = await LoadAsync(bed.Client, url, concurrency: 2, requestsPerConnection: 30);
        var three = await LoadAsync(bed.Client, url, concurrency: 3, requestsPerConnection: 30);

        Assert.True(two.Overflowed <= 12, $"2 connections: {two.Overflowed} of 60 overflowed");
        Assert.True(three.Overflowed >= 18, $"3 connections: only {three.Overflowed} of 90 overflowed");
        Assert.Equal(60 + 90, two.Ok + two.Overflowed + three.Ok + three.Overflowed);
        await Poll.UntilAsync("all requests completed", () => proxy.Observer.Requests.Count == 150);
        Assert.All(proxy.Observer.Requests.Where(r => r.Status == 503), r => Assert.Equal(ResponseFlags.UpstreamOverflow, r.Flags));
        Assert.Equal(backend.RequestCount, connections.Count); // maxRequestsPerConnection: 1 — a new connection per request
    }

    [Fact]
    public async Task Http2_max_requests_overflows_without_queueing()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = await bed.BackendAsync("grpcish", async context =>
        {
            await gate.Task;
            await context.Response.WriteAsync("h2");
        }, HttpProtocols.Http2);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000, protocol: "HTTP2"));
        var cluster = Cluster(Httpbin, Protocol.Http2, backend.Port).WithPool(new ConnectionPool { Http2MaxRequests = 1, Http1MaxPendingRequests = 10 });
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(Httpbin))], [cluster]));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var url = TestHttp.Local(proxy.OutboundPort("httpbin"), "/");

        var first = client.GetAsync(url);
        await Poll.UntilAsync("the first request is in flight", () => backend.RequestCount == 1);
        var second = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(1, backend.RequestCount);
    }

    [Theory]
    [InlineData("maxRetries")]
    [InlineData("retryBudget")]
    public async Task Retry_limit_stops_retries_beyond_it_with_flag_UO(string limit)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new ConcurrentDictionary<string, int>();
        var backend = await bed.BackendAsync("httpbin", async context =>
        {
            var call = calls.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            if (context.Request.Path == "/a" && call == 2)
            {
                await gate.Task; // request a's retry holds the only retry of the budget
                await context.Response.WriteAsync("a retried");
                return;
            }

            context.Response.StatusCode = 503;
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000));
        var cluster = Cluster(Httpbin, backend);
        if (limit == "maxRetries")
        {
            cluster.ConnectionPool = new ConnectionPool { MaxRetries = 1 };
        }
        else
        {
            // 0% of the active requests, but always at least one retry at once.
            cluster.RetryBudget = new RetryBudget { Percent = 0, MinRetryConcurrency = 1 };
        }

        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(Httpbin).WithRetries(3, "5xx"))], [cluster]));
        var port = proxy.OutboundPort("httpbin");

        var a = bed.Client.GetAsync(TestHttp.Local(port, "/a"));
        await Poll.UntilAsync("request a is being retried", () => calls.GetValueOrDefault("/a") == 2);
        var b = await bed.Client.GetAsync(TestHttp.Local(port, "/b"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, b.StatusCode);
        Assert.Equal(1, calls["/b"]);
        var completedB = await proxy.Observer.ForPathAsync("/b");
        Assert.Equal((1, ResponseFlags.UpstreamOverflow), (completedB.Attempts, completedB.Flags));

        gate.SetResult();
        Assert.Equal("a retried", await (await a).Content.ReadAsStringAsync());
        var c = await bed.Client.GetAsync(TestHttp.Local(port, "/c"));
        Assert.Equal(4, calls["/c"]); // the budget is free again: all three retries
        Assert.Equal(HttpStatusCode.ServiceUnavailable, c.StatusCode);
    }

    private static async Task<(int Ok, int Overflowed)> LoadAsync(HttpClient client, Uri url, int concurrency, int requestsPerConnection)
    {
        var ok = 0;
        var overflowed = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = 0; i < requestsPerConnection; i++)
            {
                var response = await client.GetAsync(url);
                Interlocked.Increment(ref response.StatusCode == HttpStatusCode.OK ? ref ok : ref overflowed);
            }
        }));
        return (ok, overflowed);
    }
}
