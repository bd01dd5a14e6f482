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
/// Locality failover (endpoint priorities from DestinationRule localityLbSetting): traffic stays
/// on the most preferred priority level while its endpoints are available, fails over when
/// outlier detection has ejected them, and returns when the ejection ends — on a fake clock.
/// </summary>
public sealed class LocalityFailoverTests
{
    private static readonly string Helloworld = ClusterName("helloworld", 5000);

    [Fact]
    public async Task Traffic_stays_local_fails_over_when_the_local_endpoints_are_ejected_and_comes_back()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var bed = await MeshTestBed.StartAsync();
        var localFails = false;
        Func<HttpContext, Task> local = context =>
        {
            context.Response.StatusCode = Volatile.Read(ref localFails) ? 503 : 200;
            return Task.CompletedTask;
        };
        var zone1a = await bed.BackendAsync("region1-zone1-a", local);
        var zone1b = await bed.BackendAsync("region1-zone1-b", local);
        var zone2 = await bed.BackendAsync("region1-zone2");
        var region3 = await bed.BackendAsync("region3");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("helloworld", 5000), services => services.AddSingleton<TimeProvider>(clock));
        var cluster = Cluster(Helloworld, zone1a, zone1b, zone2, region3);
        cluster.Endpoints[2].Priority = 2;
        cluster.Endpoints[3].Priority = 3;
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5XxErrors = 1,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)),
            BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)),
            MaxEjectionPercent = 100,
        };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("helloworld", 5000, To(Helloworld))], [cluster]));
        var url = TestHttp.Local(proxy.OutboundPort("helloworld"), "/");

        await SendAsync(bed.Client, url, 8);
        Assert.Equal((4, 4, 0, 0), (zone1a.RequestCount, zone1b.RequestCount, zone2.RequestCount, region3.RequestCount));

        // Both local endpoints fail once each and are ejected (once one is, 30% already spills to zone2:
        // Envoy's overprovisioning, see LocalityWeightTests): the next level (zone2) takes over, not region3.
        Volatile.Write(ref localFails, true);
        for (var i = 0; (zone1a.RequestCount == 4 || zone1b.RequestCount == 4) && i < 1000; i++)
        {
            await bed.Client.GetAsync(url);
        }

        var zone2Before = zone2.RequestCount;
        await SendAsync(bed.Client, url, 6);
        Assert.Equal((5, 5, zone2Before + 6, 0), (zone1a.RequestCount, zone1b.RequestCount, zone2.RequestCount, region3.RequestCount));

        // The ejection ends after baseEjectionTime (the next sweep): traffic is local again.
        Volatile.Write(ref localFails, false);
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await SendAsync(bed.Client, url, 4);
        Assert.Equal((7, 7, zone2Before + 6, 0), (zone1a.RequestCount, zone1b.RequestCount, zone2.RequestCount, region3.RequestCount));
    }

    internal static async Task SendAsync(HttpClient client, Uri url, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        }
    }
}
