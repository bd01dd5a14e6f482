using System.Security.Cryptography;
using Google.Protobuf;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.Cli.Tests.Infrastructure;

/// <summary>
/// A fixed-shape snapshot (one route with a weighted split, two clusters, one endpoint per
/// registered workload) so proxy-config output can be checked independently of routing rules.
/// </summary>
internal sealed class SampleSnapshotBuilder : IProxySnapshotBuilder
{
    public ProxySnapshot Build(SnapshotInputs inputs, Node node)
    {
        var snapshot = new ProxySnapshot { Node = node, ConfigGeneration = inputs.Model.Generation };
        snapshot.VirtualHosts.Add(new VirtualHost
        {
            Name = "reviews.default.svc.cluster.local:9080",
            Domains = { "reviews", "reviews:9080" },
            Port = 9080,
            Routes =
            {
                new Route
                {
                    Name = "reviews.default#0",
                    Matches = { new RouteMatch { Uri = new StringMatch { Prefix = "/reviews" } } },
                    Route_ = new RouteAction
                    {
                        Clusters =
                        {
                            new WeightedCluster { Cluster = "outbound|9080|v1|reviews.default.svc.cluster.local", Weight = 80 },
                            new WeightedCluster { Cluster = "outbound|9080|v2|reviews.default.svc.cluster.local", Weight = 20 },
                        },
                    },
                },
            },
        });
        foreach (var subset in new[] { "v1", "v2" })
        {
            var cluster = new Cluster { Name = $"outbound|9080|{subset}|reviews.default.svc.cluster.local", Protocol = Protocol.Http, Subset = subset };
            foreach (var workload in inputs.Registry.Workloads.Where(w => w.Node.Labels.GetValueOrDefault("version") == subset))
            {
                cluster.Endpoints.Add(new Endpoint { Address = workload.Node.Address, Port = 15006, Workload = workload.Node.Workload, Mtls = true });
            }

            snapshot.Clusters.Add(cluster);
        }

        snapshot.Version = Convert.ToHexString(SHA256.HashData(snapshot.ToByteArray()))[..16];
        return snapshot;
    }
}
