using System.Diagnostics;
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
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var cluster = Cluster(Reviews, healthy, healthy2, failing).WithOutlierDetection(Outlier(consecutive5xx: 2, baseEjection: TimeSpan.FromMilliseconds(600)));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");

        // Round robin reaches the failing endpoint every third request; its second 503 ejects it.
        var ejectedAt = await SendUntilAsync(bed.Client, url, () => failing.RequestCount == 2, max: 20);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync(url)).StatusCode);
        }

        Assert.Equal(2, failing.RequestCount);
        var firstEjection = await TimeUntilTrafficAsync(bed.Client, url, failing, ejectedAt);
        Assert.InRange(firstEjection, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(3));

        // Back in rotation it fails twice more and is ejected again, now for twice the base time.
        var secondEjectedAt = await SendUntilAsync(bed.Client, url, () => failing.RequestCount == 4, max: 20);
        var secondEjection = await TimeUntilTrafficAsync(bed.Client, url, failing, secondEjectedAt);
        Assert.InRange(secondEjection, TimeSpan.FromMilliseconds(1150), TimeSpan.FromSeconds(5));
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
        Interval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(50)),
        BaseEjectionTime = Duration.FromTimeSpan(baseEjection ?? TimeSpan.FromSeconds(1)),
        MaxEjectionPercent = maxEjectionPercent,
    };

    /// <summary>Sends requests until the condition holds; returns the timestamp at which it did.</summary>
    private static async Task<long> SendUntilAsync(HttpClient client, Uri url, Func<bool> condition, int max)
    {
        for (var i = 0; i < max && !condition(); i++)
        {
            await client.GetAsync(url);
        }

        Assert.True(condition(), "the condition was not reached");
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Keeps sending until the endpoint receives a request again; returns how long after <paramref name="since"/> that was.</summary>
    private static async Task<TimeSpan> TimeUntilTrafficAsync(HttpClient client, Uri url, TestBackend endpoint, long since)
    {
        var before = endpoint.RequestCount;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (endpoint.RequestCount == before && Stopwatch.GetTimestamp() < deadline)
        {
            await client.GetAsync(url);
            await Task.Delay(10);
        }

        Assert.True(endpoint.RequestCount > before, "the ejected endpoint never came back");
        return Stopwatch.GetElapsedTime(since);
    }
}
