using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>Route retries (Envoy semantics) and timeouts, observed at real backends.</summary>
public sealed class RetryAndTimeoutTests
{
    private static readonly string Ratings = ClusterName("ratings", 9080);

    [Theory]
    [InlineData(3u, "5xx", 503, 4)]
    [InlineData(2u, "gateway-error", 502, 3)]
    [InlineData(2u, "gateway-error", 500, 1)]
    [InlineData(2u, "retriable-4xx", 409, 3)]
    [InlineData(2u, "5xx", 404, 1)]
    [InlineData(1u, "connect-failure", 503, 1)]
    [InlineData(2u, "retriable-status-codes,418", 418, 3)]
    public async Task Backend_sees_exactly_the_attempts_the_policy_allows(uint retries, string retryOn, int status, int expectedAttempts)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", context =>
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsync($"status {status}");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithRetries(retries, retryOn))], [Cluster(Ratings, backend)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/ratings/0"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal($"status {status}", await response.Content.ReadAsStringAsync()); // the last attempt's response, not a mix
        Assert.Equal(expectedAttempts, backend.RequestCount);
        var completed = await proxy.Observer.ForPathAsync("/ratings/0");
        Assert.Equal(expectedAttempts, completed.Attempts);
        Assert.Equal(expectedAttempts > 1, completed.Flags.HasFlag(ResponseFlags.UpstreamRetryLimitExceeded));
    }

    [Fact]
    public async Task A_retry_goes_to_another_endpoint_so_a_bad_endpoint_is_masked()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var bad = await bed.BackendAsync("bad", context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        var good = await bed.BackendAsync("good");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithRetries(1, "5xx"))], [Cluster(Ratings, bad, good)]));

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("good", await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/")));
        }

        Assert.True(bad.RequestCount >= 5, $"round robin should have tried the bad endpoint about half the time, got {bad.RequestCount}");
        Assert.Equal(20, good.RequestCount);
    }

    [Fact]
    public async Task Connect_failures_are_retried_on_a_live_endpoint()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var deadPort = await TestBackend.UnusedPortAsync();
        var live = await bed.BackendAsync("live");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("ratings", 9080, To(Ratings).WithRetries(2, "connect-failure"))],
            [Cluster(Ratings, Protocol.Http, deadPort, live.Port)]));

        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, TestHttp.Local(proxy.OutboundPort("ratings"), "/"))
            {
                Content = new StreamContent(new MemoryStream(new byte[100_000])), // too big to keep: still retried, it was never read
            };
            var response = await bed.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(10, live.RequestCount);
        Assert.All(live.Requests, r => Assert.Equal(100_000, r.BodyLength));
    }

    [Fact]
    public async Task Small_bodies_are_replayed_whole_on_retry()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var calls = 0;
        var lengths = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var backend = await bed.BackendAsync("ratings", async context =>
        {
            var length = await DrainAsync(context.Request.Body);
            lengths.Enqueue(length);
            context.Response.StatusCode = Interlocked.Increment(ref calls) < 3 ? 503 : 200;
            await context.Response.WriteAsync($"got {length}");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithRetries(3, "5xx"))], [Cluster(Ratings, backend)]));
        var url = TestHttp.Local(proxy.OutboundPort("ratings"), "/");

        // Chunked (no Content-Length) and fixed-length bodies both fit the 64 KB replay buffer.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StreamContent(new MemoryStream(new byte[40_000])) };
        chunked.Headers.TransferEncodingChunked = true;
        var response = await bed.Client.SendAsync(chunked);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("got 40000", await response.Content.ReadAsStringAsync());
        Assert.Equal([40_000L, 40_000L, 40_000L], lengths);
    }

    [Fact]
    public async Task A_body_too_large_to_keep_is_not_replayed_and_not_retried()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", async context =>
        {
            await DrainAsync(context.Request.Body);
            context.Response.StatusCode = 503;
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithRetries(3, "5xx"))], [Cluster(Ratings, backend)]));

        using var request = new HttpRequestMessage(HttpMethod.Post, TestHttp.Local(proxy.OutboundPort("ratings"), "/upload"))
        {
            Content = new StreamContent(new MemoryStream(new byte[200_000])),
        };
        request.Headers.TransferEncodingChunked = true;
        var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, backend.RequestCount);
        var completed = await proxy.Observer.ForPathAsync("/upload");
        Assert.Equal(1, completed.Attempts);
        Assert.False(completed.Flags.HasFlag(ResponseFlags.UpstreamRetryLimitExceeded));
    }

    [Fact]
    public async Task Per_try_timeout_cuts_a_slow_attempt_and_the_retry_succeeds()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var calls = 0;
        var backend = await bed.BackendAsync("ratings", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await WaitUntilAbortedAsync(context);
                return;
            }

            await context.Response.WriteAsync("fast");
        });
        var clock = new TestClock();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080), clock: clock);
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("ratings", 9080, To(Ratings).WithRetries(2, "reset", perTryTimeout: TimeSpan.FromMilliseconds(200)))],
            [Cluster(Ratings, backend)]));

        var call = bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/slow-once"));
        await Poll.UntilAsync("the first attempt reached the backend", () => backend.RequestCount == 1);
        await clock.WaitForTimerAsync("the 200 ms per-try timeout", TimeSpan.FromMilliseconds(200));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await PassRetryBackOffAsync(clock, "the retry reached the backend", () => backend.RequestCount == 2);

        Assert.Equal("fast", await call);
        Assert.Equal(2, (await proxy.Observer.ForPathAsync("/slow-once")).Attempts);
        Assert.Equal(2, backend.RequestCount);
    }

    [Fact]
    public async Task Per_try_timeouts_exhausting_the_retries_give_504_UT_and_URX()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", WaitUntilAbortedAsync);
        var clock = new TestClock();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080), clock: clock);
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("ratings", 9080, To(Ratings).WithRetries(1, "5xx", perTryTimeout: TimeSpan.FromMilliseconds(150)))],
            [Cluster(Ratings, backend)]));

        var call = bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/always-slow"));
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var reached = attempt;
            await PassRetryBackOffAsync(clock, $"attempt {attempt} reached the backend", () => backend.RequestCount == reached);
            await clock.WaitForTimerAsync($"attempt {attempt}'s 150 ms per-try timeout", TimeSpan.FromMilliseconds(150));
            clock.Advance(TimeSpan.FromMilliseconds(150));
        }

        var response = await call;
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream request timeout", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.RequestCount);
        var completed = await proxy.Observer.ForPathAsync("/always-slow");
        Assert.Equal(2, completed.Attempts);
        Assert.Equal(ResponseFlags.UpstreamRequestTimeout | ResponseFlags.UpstreamRetryLimitExceeded, completed.Flags);
        Assert.Equal("UT,URX", completed.FlagsText);
    }

    [Fact]
    public async Task Route_timeout_gives_504_UT_and_stops_retrying()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", WaitUntilAbortedAsync);
        var clock = new TestClock();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080), clock: clock);
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("ratings", 9080, To(Ratings).WithTimeout(TimeSpan.FromMilliseconds(300)).WithRetries(5, "5xx"))],
            [Cluster(Ratings, backend)]));

        var call = bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/timeout"));
        await Poll.UntilAsync("the request reached the backend", () => backend.RequestCount == 1);
        await clock.WaitForTimerAsync("the 300 ms route timeout", TimeSpan.FromMilliseconds(300));
        clock.Advance(TimeSpan.FromMilliseconds(300));

        var response = await call;
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(1, backend.RequestCount); // the route timeout covers the whole exchange; no retry after it
        Assert.Equal(1, (await proxy.Observer.ForPathAsync("/timeout")).Attempts);
        Assert.Equal(ResponseFlags.UpstreamRequestTimeout, (await proxy.Observer.ForPathAsync("/timeout")).Flags);
    }

    [Fact]
    public async Task Route_timeout_without_retries_gives_504_UT()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", context => Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithTimeout(TimeSpan.FromMilliseconds(200)))], [Cluster(Ratings, backend)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/t"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(ResponseFlags.UpstreamRequestTimeout, (await proxy.Observer.ForPathAsync("/t")).Flags);
        Assert.Equal(1, (await proxy.Observer.ForPathAsync("/t")).Attempts);
    }

    private static async Task<long> DrainAsync(Stream body)
    {
        var buffer = new byte[16384];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>A backend that never answers: the request ends when the proxy gives up on it.</summary>
    private static Task WaitUntilAbortedAsync(HttpContext context) =>
        Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <summary>
    /// Waits for <paramref name="condition"/>, moving the clock past a retry back-off when one is armed
    /// (Envoy's jittered back-off, under 25 ms before the first retry — far shorter than the per-try
    /// timeouts here, so advancing it never fires them).
    /// </summary>
    private static Task PassRetryBackOffAsync(TestClock clock, string what, Func<bool> condition) =>
        clock.AdvanceUntilAsync(what, due => due <= RetryBackoff.UpperBound(0), RetryBackoff.UpperBound(0), condition);
}
