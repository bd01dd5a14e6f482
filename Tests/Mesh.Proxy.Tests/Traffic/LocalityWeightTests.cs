using System.Net;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>
/// Weighted endpoints through a real sidecar: locality weights (DestinationRule
/// <c>localityLbSetting.distribute</c>), Envoy's overprovisioning factor between priority levels,
/// and endpoint weights. Shares are measured over many requests against a tolerance of five
/// standard deviations of the binomial distribution (a false failure about once in 1.7 million runs).
/// </summary>
public sealed class LocalityWeightTests
{
    private const int Requests = 1000;
    private static readonly string Helloworld = ClusterName("helloworld", 5000);

    [Fact]
    public async Task Distribute_splits_traffic_80_20_across_localities_then_balances_within_each()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var zone1 = new[] { await bed.BackendAsync("region1-zone1-a"), await bed.BackendAsync("region1-zone1-b") };
        var zone2 = new[] { await bed.BackendAsync("region1-zone2-a"), await bed.BackendAsync("region1-zone2-b") };
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("helloworld", 5000));
        var cluster = Cluster(Helloworld, [.. zone1, .. zone2]);
        for (var i = 0; i < 4; i++)
        {
            cluster.Endpoints[i].Locality = i < 2 ? "region1/zone1" : "region1/zone2";
            cluster.Endpoints[i].LocalityWeight = i < 2 ? 80u : 20u;
        }

        await bed.ApplyAsync(Snapshot("1", [ServiceHost("helloworld", 5000, To(Helloworld))], [cluster]));
        await SendAsync(bed.Client, TestHttp.Local(proxy.OutboundPort("helloworld"), "/"), Requests);

        AssertBinomial(zone2.Sum(b => b.RequestCount), Requests, 0.2);
        Assert.Equal(Requests, zone1.Sum(b => b.RequestCount) + zone2.Sum(b => b.RequestCount));
        Assert.All(zone1.Concat(zone2), b => Assert.True(b.RequestCount > 0, $"{b.Name} got no request"));
    }

    [Fact]
    public async Task A_level_below_its_overprovisioned_health_spills_part_of_its_traffic_to_the_next_level()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var bed = await MeshTestBed.StartAsync();
        var failing = false;
        var good = await bed.BackendAsync("region1-zone1-good");
        var bad = await bed.BackendAsync("region1-zone1-bad", context =>
        {
            context.Response.StatusCode = Volatile.Read(ref failing) ? 503 : 200;
            return Task.CompletedTask;
        });
        var remote = await bed.BackendAsync("region2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("helloworld", 5000), services => services.AddSingleton<TimeProvider>(clock));
        var cluster = Cluster(Helloworld, good, bad, remote);
        cluster.Endpoints[2].Priority = 3;
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5XxErrors = 1,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
            MaxEjectionPercent = 100,
        };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("helloworld", 5000, To(Helloworld))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("helloworld"), "/");

        // Both local endpoints healthy: priority 0 is 100% healthy and keeps everything.
        await SendAsync(bed.Client, url, 100);
        Assert.Equal(0, remote.RequestCount);

        // One of two local endpoints ejected: priority 0's health is min(100, 1.4 × 50%) = 70%, so 30% spills to priority 3.
        Volatile.Write(ref failing, true);
        var healthyCount = bad.RequestCount;
        for (var i = 0; bad.RequestCount == healthyCount && i < 1000; i++)
        {
            await bed.Client.GetAsync(url);
        }

        var (goodBefore, badBefore, remoteBefore) = (good.RequestCount, bad.RequestCount, remote.RequestCount);
        await SendAsync(bed.Client, url, Requests);
        Assert.Equal(badBefore, bad.RequestCount);
        AssertBinomial(remote.RequestCount - remoteBefore, Requests, 0.3);
        Assert.Equal(Requests, good.RequestCount - goodBefore + remote.RequestCount - remoteBefore);
    }

    [Fact]
    public async Task Endpoint_weights_are_honoured_by_round_robin()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var heavy = await bed.BackendAsync("heavy");
        var light = await bed.BackendAsync("light");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("helloworld", 5000));
        var cluster = Cluster(Helloworld, heavy, light);
        cluster.Endpoints[0].Weight = 3;
        cluster.Endpoints[1].Weight = 1;
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("helloworld", 5000, To(Helloworld))], [cluster]));

        await SendAsync(bed.Client, TestHttp.Local(proxy.OutboundPort("helloworld"), "/"), 400);

        // Weighted round robin over a fixed set is exact: 3 of every 4 requests.
        Assert.Equal((300, 100), (heavy.RequestCount, light.RequestCount));
    }

    private static void AssertBinomial(int observed, int trials, double p)
    {
        var mean = trials * p;
        var tolerance = 5 * Math.Sqrt(trials * p * (1 - p));
        Assert.True(Math.Abs(observed - mean) <= tolerance, $"{observed} of {trials} where {mean} ± {tolerance:F1} (p = {p}) was expected");
    }

    private static Task SendAsync(HttpClient client, Uri url, int count) => LocalityFailoverTests.SendAsync(client, url, count);
}
