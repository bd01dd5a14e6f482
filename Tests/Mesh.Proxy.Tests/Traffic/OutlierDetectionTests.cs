using System.Net;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>DestinationRule outlierDetection (Envoy's consecutive 5xx / gateway error ejection).</summary>
public sealed class OutlierDetectionTests
{
    private static readonly string Reviews = ClusterName("reviews", 9080);

    /// <summary>How often the proxy sweeps for endpoints whose ejection time has passed.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Failing_endpoint_is_ejected_gets_no_traffic_then_returns_and_its_next_ejection_is_longer()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var healthy = await bed.BackendAsync("reviews-1");
        var healthy2 = await bed.BackendAsync("reviews-2");
        var failing = await bed.BackendAsync("reviews-bad", context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });

        // Ejection and the sweep that returns endpoints run on the proxy's clock: the test moves it.
        var clock = new TestClock();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080), clock: clock);
        var baseEjection = TimeSpan.FromSeconds(30);
        var cluster = Cluster(Reviews, healthy, healthy2, failing).WithOutlierDetection(Outlier(consecutive5xx: 2, baseEjection: baseEjection));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");

        // Round robin reaches the failing endpoint every third request; its second 503 ejects it.
        await SendUntilAsync(bed.Client, url, () => failing.RequestCount == 2, max: 20);
        await AssertNoTrafficAsync(bed.Client, url, failing);

        // One sweep interval short of the ejection time it is still out; at the ejection time it is back.
        clock.Advance(baseEjection - SweepInterval);
        await AssertNoTrafficAsync(bed.Client, url, failing);
        clock.Advance(SweepInterval);
        await SendUntilAsync(bed.Client, url, () => failing.RequestCount == 3, max: 20);

        // Back in rotation it fails twice more and is ejected again, now for twice the base time.
        await SendUntilAsync(bed.Client, url, () => failing.RequestCount == 4, max: 20);
        clock.Advance((2 * baseEjection) - SweepInterval);
        await AssertNoTrafficAsync(bed.Client, url, failing);
        clock.Advance(SweepInterval);
        await SendUntilAsync(bed.Client, url, () => failing.RequestCount == 5, max: 20);
    }

    [Fact]
    public async Task Max_ejection_percent_keeps_endpoints_in_service_and_all_ejected_means_no_healthy_upstream()
    {
        await using var bed = await MeshTestBed.StartAsync();
        Func<HttpContext, Task> fail = context =>
        {
            context.Response.StatusCode = 502;
            return Task.CompletedTask;
        };
        var a = await bed.BackendAsync("a", fail);
        var b = await bed.BackendAsync("b", fail);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var capped = Cluster(Reviews, a, b).WithOutlierDetection(Outlier(gateway: 1, maxEjectionPercent: 50, baseEjection: TimeSpan.FromSeconds(30)));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [capped]));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.BadGateway, (await bed.Client.GetAsync(url)).StatusCode);
        }

        // One of the two was ejected at its first 502; 50% allows no second ejection.
        Assert.Equal(1, Math.Min(a.RequestCount, b.RequestCount));
        Assert.Equal(9, Math.Max(a.RequestCount, b.RequestCount));

        var uncapped = Cluster(Reviews, a, b).WithOutlierDetection(Outlier(gateway: 1, maxEjectionPercent: 100, baseEjection: TimeSpan.FromSeconds(30)));
        await bed.ApplyAsync(Snapshot("2", [ServiceHost("reviews", 9080, To(Reviews))], [uncapped]));
        await bed.Client.GetAsync(url); // the remaining endpoint's next 502 ejects it too

        var none = await bed.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
        Assert.Equal("no healthy upstream", await none.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Connect_failures_count_as_gateway_errors_and_eject_a_dead_endpoint()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var live = await bed.BackendAsync("live");
        var deadPort = await TestBackend.UnusedPortAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var cluster = Cluster(Reviews, Protocol.Http, live.Port, deadPort).WithOutlierDetection(Outlier(gateway: 1, baseEjection: TimeSpan.FromSeconds(30)));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await bed.Client.GetAsync(url)).StatusCode);
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable) <= 1, string.Join(",", statuses));
        Assert.True(live.RequestCount >= 11);
    }

    private static OutlierDetection Outlier(uint consecutive5xx = 0, uint gateway = 0, uint maxEjectionPercent = 100, TimeSpan? baseEjection = null) => new()
    {
        Consecutive5XxErrors = consecutive5xx,
        ConsecutiveGatewayErrors = gateway,
        Interval = Duration.FromTimeSpan(SweepInterval),
        BaseEjectionTime = Duration.FromTimeSpan(baseEjection ?? TimeSpan.FromSeconds(1)),
        MaxEjectionPercent = maxEjectionPercent,
    };

    /// <summary>Sends requests until the condition holds (a bounded number of requests, not a time).</summary>
    private static async Task SendUntilAsync(HttpClient client, Uri url, Func<bool> condition, int max)
    {
        for (var i = 0; i < max && !condition(); i++)
        {
            await client.GetAsync(url);
        }

        Assert.True(condition(), $"the condition was not reached within {max} requests");
    }

    /// <summary>Twelve requests (four round-robin turns over three endpoints) all succeed and none reaches the ejected endpoint.</summary>
    private static async Task AssertNoTrafficAsync(HttpClient client, Uri url, TestBackend ejected)
    {
        var before = ejected.RequestCount;
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        }

        Assert.Equal(before, ejected.RequestCount);
    }
}
