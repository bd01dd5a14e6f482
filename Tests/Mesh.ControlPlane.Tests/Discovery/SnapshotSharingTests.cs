using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>N proxies of one shape cost one build per change, not N.</summary>
public sealed class SnapshotSharingTests
{
    [Fact]
    public async Task Replicas_of_one_workload_share_builds_and_get_their_own_node()
    {
        var builder = new TestSnapshotBuilder();
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options(builder));
        const int Replicas = 40;
        var proxies = new List<TestProxy>();
        try
        {
            for (var i = 0; i < Replicas; i++)
            {
                proxies.Add(await controlPlane.Proxy($"reviews-v1-{i}", Replica).ConnectAsync());
            }

            // Let the registry settle: every proxy ends on a snapshot listing all replicas.
            foreach (var proxy in proxies)
            {
                var snapshot = await proxy.NextAsync();
                while (snapshot.Clusters.Single().Endpoints.Count < Replicas)
                {
                    snapshot = await proxy.NextAsync();
                }

                Assert.Equal(proxy.Node.Id, snapshot.Node.Id);
            }

            var buildsBefore = builder.Builds;
            await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));
            var versions = new HashSet<string>();
            foreach (var proxy in proxies)
            {
                var snapshot = await proxy.NextAsync();
                Assert.Equal(proxy.Node.Id, snapshot.Node.Id);
                versions.Add(snapshot.Version);
            }

            Assert.Single(versions);
            Assert.Equal(1, builder.Builds - buildsBefore);
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    private static void Replica(Mesh.Contracts.Snapshots.Node node)
    {
        node.Workload = "reviews-v1";
        node.ServiceAccount = "bookinfo-reviews";
        node.Labels["app"] = "reviews";
    }

    [Fact]
    public void The_shape_ignores_the_id_and_the_order_of_labels()
    {
        var a = TestProxy.NodeFor("a", n => { n.Workload = "w"; n.ServiceAccount = "sa"; n.Labels.Clear(); n.Labels.Add("app", "x"); n.Labels.Add("version", "v1"); });
        var b = TestProxy.NodeFor("b", n => { n.Workload = "w"; n.ServiceAccount = "sa"; n.Labels.Clear(); n.Labels.Add("version", "v1"); n.Labels.Add("app", "x"); });
        var c = TestProxy.NodeFor("c", n => { n.Workload = "w"; n.ServiceAccount = "sa"; n.Labels.Clear(); n.Labels.Add("version", "v2"); n.Labels.Add("app", "x"); });

        Assert.Equal(NodeShape.Key(NodeShape.Canonical(a)), NodeShape.Key(NodeShape.Canonical(b)));
        Assert.NotEqual(NodeShape.Key(NodeShape.Canonical(a)), NodeShape.Key(NodeShape.Canonical(c)));
        Assert.Equal("", NodeShape.Canonical(a).Id);
    }

    [Fact]
    public void Replicas_reached_at_different_addresses_and_ports_share_a_shape()
    {
        static Mesh.Contracts.Snapshots.Node ReplicaAt(string id, string address, uint inboundPort, uint adminPort) => TestProxy.NodeFor(id, n =>
        {
            Replica(n);
            n.Address = address;
            n.AdminPort = adminPort;
            n.Services.Clear();
            n.Services.Add(new Mesh.Contracts.Snapshots.ServiceMembership
            {
                Name = "reviews",
                Ports = { new Mesh.Contracts.Snapshots.ServicePort { Name = "http", Port = 9080, InboundPort = inboundPort, TargetPort = 8080 } },
            });
        });

        var first = ReplicaAt("reviews-v1-a", "10.0.0.1", 15100, 15021);
        var second = ReplicaAt("reviews-v1-b", "10.0.0.2", 20001, 15022);
        var otherAppPort = ReplicaAt("reviews-v1-c", "10.0.0.3", 15100, 15021);
        otherAppPort.Services[0].Ports[0].TargetPort = 9090;

        Assert.Equal(NodeShape.Key(NodeShape.Canonical(first)), NodeShape.Key(NodeShape.Canonical(second)));
        Assert.NotEqual(NodeShape.Key(NodeShape.Canonical(first)), NodeShape.Key(NodeShape.Canonical(otherAppPort)));

        // The registry keeps what other proxies need to reach each replica.
        Assert.Equal(20001u, second.Services[0].Ports[0].InboundPort);
        Assert.Equal("10.0.0.2", second.Address);
    }
}
