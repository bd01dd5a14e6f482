using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// A configuration change applied while a fleet is still connecting (production builder, real
/// gRPC streams): every proxy ends on the change in its final form, never goes back to an older
/// generation, and is never sent the same snapshot twice.
/// </summary>
public sealed class ConnectionStormTests
{
    private const int Proxies = 40;
    private const int Workloads = 10;
    private const string FinalCluster = "outbound|9080|v1|w0.default.svc.cluster.local";

    [Fact]
    public async Task A_change_during_the_storm_reaches_every_proxy_once_in_its_final_form()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions());
        await controlPlane.Admin.ApplyAsync(Yaml.DestinationRule("w0", host: "w0"));
        var proxies = Enumerable.Range(0, Proxies).Select(i => controlPlane.Proxy($"w{i % Workloads}-{i / Workloads}", Member(i))).ToList();
        try
        {
            var connecting = proxies.Select(p => p.ConnectAsync()).ToList();
            await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("w0", host: "w0", subset: "v1")); // mid-storm
            await Task.WhenAll(connecting);
            var generation = await controlPlane.Admin.GenerationAsync();

            foreach (var proxy in proxies)
            {
                var received = new List<ProxySnapshot>();
                do
                {
                    received.Add(await proxy.NextAsync());
                }
                while (!IsFinal(received[^1], generation));

                var generations = received.Select(s => s.ConfigGeneration).ToList();
                Assert.Equal(generations.Order(), generations); // never back in time
                Assert.Equal(received.Count, received.Select(s => s.Version).Distinct().Count()); // no snapshot sent twice
                Assert.Contains(received[^1].VirtualHosts.SelectMany(v => v.Routes), r => r.Route_?.Clusters.Any(c => c.Cluster == FinalCluster) == true);
            }

            // Settled: nothing more follows the final form (checked on one proxy: the check ends its stream).
            Assert.Null(await proxies[^1].NextOrNullAsync(TimeSpan.FromMilliseconds(500)));
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    /// <summary>The change's generation and every proxy's endpoint: nothing left to deliver.</summary>
    private static bool IsFinal(ProxySnapshot snapshot, long generation) =>
        snapshot.ConfigGeneration >= generation
        && snapshot.Clusters.Where(c => c.Subset.Length == 0).Sum(c => c.Endpoints.Count) == Proxies;

    private static Action<Node> Member(int index) => node =>
    {
        var workload = $"w{index % Workloads}";
        node.Workload = workload;
        node.Labels["app"] = workload;
        node.Services.Add(new ServiceMembership
        {
            Name = workload,
            Ports = { new ServicePort { Name = "http", Port = 9080, Protocol = Protocol.Http, InboundPort = (uint)(21000 + index), TargetPort = 8080 } },
        });
    };
}
