using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>Traffic mirroring (Istio's mirroring task): copies reach the mirror, the caller only ever sees the primary.</summary>
public sealed class MirrorTests
{
    private static readonly string V1 = ClusterName("httpbin", 8000, "v1");
    private static readonly string V2 = ClusterName("httpbin", 8000, "v2");

    [Fact]
    public async Task Mirror_receives_a_copy_with_the_shadow_host_and_the_same_body_while_the_caller_gets_the_primary()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var primary = await bed.BackendAsync("httpbin-v1");
        var mirroredBody = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var mirror = await bed.BackendAsync("httpbin-v2", async context =>
        {
            mirroredBody.TrySetResult(await new StreamReader(context.Request.Body).ReadToEndAsync());
            context.Response.StatusCode = 500; // whatever the mirror answers is discarded
            await context.Response.WriteAsync("mirror says no");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(V1).WithMirror(V2))], [Cluster(V1, primary), Cluster(V2, mirror)]));

        using var request = new HttpRequestMessage(HttpMethod.Post, TestHttp.Local(proxy.OutboundPort("httpbin"), "/anything?x=1"))
        {
            Content = new StringContent("{\"hello\":\"mirror\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "httpbin:8000";
        request.Headers.Add("x-user", "tester");
        var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("httpbin-v1", await response.Content.ReadAsStringAsync());
        await Poll.UntilAsync("the mirror received the copy", () => mirror.RequestCount == 1);
        var copy = Assert.Single(mirror.Requests);
        var original = Assert.Single(primary.Requests);
        Assert.Equal("httpbin-shadow:8000", copy.Host);
        Assert.Equal("httpbin:8000", original.Host);
        Assert.Equal(("POST", "/anything?x=1"), (copy.Method, copy.Path));
        Assert.Equal("{\"hello\":\"mirror\"}", await mirroredBody.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(18, original.BodyLength);
        Assert.Equal("tester", copy.Headers["x-user"]);
        Assert.StartsWith("application/json", copy.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_or_dead_mirror_never_slows_or_fails_the_primary()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var primary = await bed.BackendAsync("httpbin-v1");
        var neverAnswering = await bed.BackendAsync("httpbin-v2", context => Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        var deadPort = await TestBackend.UnusedPortAsync();
        var dead = ClusterName("httpbin", 8000, "dead");

        // The proxy's clock never moves: a primary that waited for its mirror, even with a timeout, would never answer.
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000), clock: new TestClock());
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("httpbin", 8000, To(V1).WithMirror(V2).WithMirror(dead))],
            [Cluster(V1, primary), Cluster(V2, neverAnswering), Cluster(dead, Protocol.Http, deadPort)]));
        var url = TestHttp.Local(proxy.OutboundPort("httpbin"), "/get");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("httpbin-v1", await bed.Client.GetStringAsync(url));
        }

        await Poll.UntilAsync("every request was mirrored", () => neverAnswering.RequestCount == 10);
        Assert.Equal(10, primary.RequestCount);
    }

    [Fact]
    public async Task Mirror_percentage_copies_about_that_share()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var primary = await bed.BackendAsync("httpbin-v1");
        var mirror = await bed.BackendAsync("httpbin-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(V1).WithMirror(V2, percentage: 20))], [Cluster(V1, primary), Cluster(V2, mirror)]));
        var url = TestHttp.Local(proxy.OutboundPort("httpbin"), "/get");

        const int total = 400;
        for (var i = 0; i < total; i++)
        {
            await bed.Client.GetStringAsync(url);
        }

        // Binomial(400, 0.2): mean 80, standard deviation 8. Copies still in flight when the last
        // primary answered are waited for (a mirror-everything bug would reach ~400, far above 120).
        await Poll.UntilAsync("at least 40 copies at the mirror", () => mirror.RequestCount >= 40, () => $"{mirror.RequestCount}");
        Assert.InRange(mirror.RequestCount, 40, 120);
        Assert.Equal(total, primary.RequestCount);
    }

    [Fact]
    public async Task A_body_larger_than_the_kept_64KB_is_forwarded_but_not_mirrored_as_Envoy_abandons_such_shadows()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var primary = await bed.BackendAsync("httpbin-v1");
        var mirror = await bed.BackendAsync("httpbin-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("httpbin", 8000));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("httpbin", 8000, To(V1).WithMirror(V2))], [Cluster(V1, primary), Cluster(V2, mirror)]));
        var url = TestHttp.Local(proxy.OutboundPort("httpbin"), "/post");

        var big = await bed.Client.PostAsync(url, new ByteArrayContent(new byte[200_000]));
        var small = await bed.Client.PostAsync(url, new ByteArrayContent(new byte[1_000]));

        Assert.Equal(HttpStatusCode.OK, big.StatusCode);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal([200_000L, 1_000L], primary.Requests.Select(r => r.BodyLength));
        // A copy of the big request would have been sent when its body was complete, before the
        // small request was even made: by the time the small one's copy arrived, it would be there.
        await Poll.UntilAsync("the small request was mirrored", () => mirror.RequestCount >= 1);
        Assert.Equal(1_000L, Assert.Single(mirror.Requests).BodyLength);
    }
}
