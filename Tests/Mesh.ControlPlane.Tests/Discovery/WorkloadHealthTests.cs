using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// WorkloadHealth on the discovery stream (a sidecar reporting whether its app is up): a replica
/// whose app is down stays registered and listed but leaves its service's endpoints, and returns
/// when its sidecar reports it ready again. Production snapshot builder, real gRPC.
/// </summary>
public sealed class WorkloadHealthTests
{
    private const string DetailsCluster = "outbound|9080||details.default.svc.cluster.local";

    [Fact]
    public async Task A_replica_reported_not_ready_leaves_the_endpoints_and_returns_when_ready()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions());
        await controlPlane.ApplyAsync(Yaml.DestinationRule("details", host: "details"));
        await using var replica0 = await controlPlane.Proxy("details-0", n => Replica(n, 15006)).ConnectAsync();
        await using var replica1 = await controlPlane.Proxy("details-1", n => Replica(n, 15007)).ConnectAsync();
        await using var caller = await controlPlane.Proxy("productpage").ConnectAsync();
        await caller.NextWhereAsync(s => EndpointPorts(s).SequenceEqual([15006u, 15007u]));

        await replica1.Call.RequestStream.WriteAsync(new ProxyMessage { WorkloadHealth = new WorkloadHealth { Ready = false, Reason = "127.0.0.1:10721: ConnectionRefused" } });
        await caller.NextWhereAsync(s => EndpointPorts(s).SequenceEqual([15006u]));
        Assert.False(controlPlane.Service<WorkloadRegistry>().Find("details-1")!.Ready);
        var listed = await controlPlane.Admin.GetJsonAsync("/api/v1/proxies/details-1");
        Assert.Equal("details", listed["workload"]!.GetValue<string>());

        await replica1.Call.RequestStream.WriteAsync(new ProxyMessage { WorkloadHealth = new WorkloadHealth { Ready = true } });
        await caller.NextWhereAsync(s => EndpointPorts(s).SequenceEqual([15006u, 15007u]));
    }

    [Fact]
    public void Readiness_changes_bump_the_registry_version_once_and_only_for_the_current_registration()
    {
        var registry = new WorkloadRegistry(TimeProvider.System);
        var old = registry.Register(TestProxy.NodeFor("details-0"));
        var current = registry.Register(TestProxy.NodeFor("details-0"));
        var version = registry.Version;

        Assert.False(registry.SetReady(old, false));
        Assert.False(registry.SetReady(current, true));
        Assert.Equal(version, registry.Version);

        Assert.True(registry.SetReady(current, false));
        Assert.False(registry.SetReady(current, false));
        Assert.Equal(version + 1, registry.Version);
        Assert.False(registry.Current.Workloads.Single().Ready);
    }

    private static void Replica(Node node, uint inboundPort)
    {
        node.Workload = "details";
        node.Labels["app"] = "details";
        node.Services.Add(new ServiceMembership
        {
            Name = "details",
            Ports = { new ServicePort { Name = "http", Port = 9080, Protocol = Protocol.Http, InboundPort = inboundPort } },
        });
    }

    private static uint[] EndpointPorts(ProxySnapshot snapshot) =>
        [.. snapshot.Clusters.Where(c => c.Name == DetailsCluster).SelectMany(c => c.Endpoints).Select(e => e.Port).Order()];
}
