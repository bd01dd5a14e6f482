using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>The whole path with the production snapshot builder: registry + applied Istio YAML → routes on the stream.</summary>
public sealed class ProductionBuilderTests
{
    [Fact]
    public async Task Workloads_and_an_applied_subset_route_reach_the_callers_snapshot()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions());
        await using var reviewsV2 = await controlPlane.Proxy("reviews-v2", n =>
        {
            n.Labels["app"] = "reviews";
            n.Labels["version"] = "v2";
            n.Services.Add(new ServiceMembership { Name = "reviews", Ports = { new ServicePort { Name = "http", Port = 9080, Protocol = Protocol.Http, InboundPort = 15006, TargetPort = 9081 } } });
        }).ConnectAsync();
        await reviewsV2.NextAsync();
        await using var productpage = await controlPlane.Proxy("productpage", n =>
            n.Outbound.Add(new OutboundBinding { Host = "reviews", Port = 9080, LocalPort = 16001, Protocol = Protocol.Http })).ConnectAsync();
        await productpage.NextAsync();

        await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews", subset: "v2"), """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
            spec:
              host: reviews
              subsets:
              - name: v2
                labels:
                  version: v2

            """));

        const string Cluster = "outbound|9080|v2|reviews.default.svc.cluster.local";
        var snapshot = await productpage.NextAsync();
        while (!snapshot.VirtualHosts.SelectMany(v => v.Routes).Any(r => r.Route_?.Clusters.Any(c => c.Cluster == Cluster) == true))
        {
            snapshot = await productpage.NextAsync();
        }

        Assert.Equal("productpage", snapshot.Node.Id);
        var endpoint = Assert.Single(snapshot.Clusters.Single(c => c.Name == Cluster).Endpoints);
        Assert.Equal("reviews-v2", endpoint.Workload);
        Assert.Equal(15006u, endpoint.Port);
    }
}
