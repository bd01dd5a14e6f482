using System.Collections.Immutable;
using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// Locality failover as Istio computes it (the "Locality failover" task): endpoints' localities
/// from the istio-locality / topology labels and WorkloadEntry.locality, priorities relative to
/// the calling proxy's locality, only with outlierDetection, failover between regions and
/// failoverPriority by labels.
/// </summary>
public sealed class LocalitySnapshotTests
{
    private const string Helloworld = "helloworld.default.svc.cluster.local";

    internal static Node Workload(string name, IDictionary<string, string> labels, string address) => new()
    {
        Id = $"{name}-0",
        Workload = name,
        Namespace = "default",
        ServiceAccount = name,
        Mode = ProxyMode.Sidecar,
        Address = address,
        Labels = { labels },
        Services =
        {
            new ServiceMembership
            {
                Name = labels["app"],
                Ports = { new ServicePort { Name = "http", Port = 5000, Protocol = Protocol.Http, InboundPort = 5000, TargetPort = 5000 } },
            },
        },
    };

    internal static Dictionary<string, string> At(string app, string locality) => new() { ["app"] = app, ["istio-locality"] = locality };

    // Istio's task: one helloworld per locality, the client (sleep) in region1/zone1.
    private static readonly Node Sleep = Workload("sleep", At("sleep", "region1.zone1"), "10.0.0.1");

    private static readonly Node[] Helloworlds =
    [
        Workload("helloworld-region1-zone1", At("helloworld", "region1.zone1"), "10.0.1.1"),
        Workload("helloworld-region1-zone2", At("helloworld", "region1.zone2"), "10.0.1.2"),
        Workload("helloworld-region2-zone3", At("helloworld", "region2.zone3"), "10.0.2.3"),
        Workload("helloworld-region3-zone4", new Dictionary<string, string>
        {
            ["app"] = "helloworld",
            ["topology.kubernetes.io/region"] = "region3",
            ["topology.kubernetes.io/zone"] = "zone4",
        }, "10.0.3.4"),
    ];

    private static Dictionary<string, (string Locality, uint Priority)> Priorities(string destinationRule)
    {
        var registry = new RegistrySnapshot(1, [.. Helloworlds.Append(Sleep).Select(n => new WorkloadInstance(n, DateTimeOffset.UnixEpoch))]);
        var inputs = new SnapshotInputs(new MeshModel(1, [.. BookinfoMesh.Parse(destinationRule)]), registry, new MeshSettings());
        var cluster = SnapshotBuilder.Build(inputs, Sleep).Cluster($"outbound|5000||{Helloworld}");
        return cluster.Endpoints.ToDictionary(e => e.Workload, e => (e.Locality, e.Priority));
    }

    private const string Failover = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: helloworld}
        spec:
          host: helloworld.default.svc.cluster.local
          trafficPolicy:
            loadBalancer:
              simple: ROUND_ROBIN
              localityLbSetting:
                enabled: true
                failover:
                - from: region1
                  to: region3
            outlierDetection:
              consecutive5xxErrors: 1
              interval: 1s
              baseEjectionTime: 1m
        """;

    [Fact]
    public void Endpoints_get_priorities_by_locality_relative_to_the_caller_with_the_failover_region_next()
    {
        var priorities = Priorities(Failover);

        Assert.Equal(("region1/zone1", 0u), priorities["helloworld-region1-zone1"]);
        Assert.Equal(("region1/zone2", 2u), priorities["helloworld-region1-zone2"]);
        Assert.Equal(("region3/zone4", 3u), priorities["helloworld-region3-zone4"]); // failover target
        Assert.Equal(("region2/zone3", 4u), priorities["helloworld-region2-zone3"]);
    }

    [Fact]
    public void Without_outlier_detection_or_when_disabled_every_endpoint_is_priority_0()
    {
        Assert.All(Priorities(Failover.Replace("enabled: true", "enabled: false", StringComparison.Ordinal)).Values, p => Assert.Equal(0u, p.Priority));
        var withoutOutlier = Failover[..Failover.IndexOf("    outlierDetection", StringComparison.Ordinal)];
        Assert.All(Priorities(withoutOutlier).Values, p => Assert.Equal(0u, p.Priority));
    }

    [Fact]
    public void Without_failover_every_other_region_is_priority_3()
    {
        var priorities = Priorities(Failover.Replace("        failover:\n        - from: region1\n          to: region3\n", "", StringComparison.Ordinal));

        Assert.Equal(3u, priorities["helloworld-region3-zone4"].Priority);
        Assert.Equal(3u, priorities["helloworld-region2-zone3"].Priority);
        Assert.Equal(2u, priorities["helloworld-region1-zone2"].Priority);
    }

    [Fact]
    public void FailoverPriority_ranks_by_how_many_leading_labels_match_the_caller()
    {
        var rule = Failover.Replace(
            "        failover:\n        - from: region1\n          to: region3\n",
            "        failoverPriority: [topology.kubernetes.io/region, \"topology.kubernetes.io/zone=zone2\"]\n",
            StringComparison.Ordinal);

        var priorities = Priorities(rule);

        // region1 + zone2 (the forced value) match both labels; region1/zone1 only the region.
        Assert.Equal(2u, priorities["helloworld-region1-zone2"].Priority); // 0 by labels, then 2 by locality
        Assert.Equal(5u, priorities["helloworld-region1-zone1"].Priority); // 1 by labels, then 0 by locality
        Assert.Equal(13u, priorities["helloworld-region2-zone3"].Priority); // 2 by labels, then 3 by locality
    }

    [Fact]
    public void A_WorkloadEntry_locality_is_the_endpoints_locality()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: external}
            spec:
              hosts: [api.example.com]
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:
              - {address: 10.1.0.1, locality: region1/zone1}
              - {address: 10.1.0.2, locality: region2/zone9/sub}
              - {address: 10.1.0.3, labels: {istio-locality: region1.zone1.sub1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: external}
            spec:
              host: api.example.com
              trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3}}
            """);
        var inputs = new SnapshotInputs(new MeshModel(1, [.. objects]), new RegistrySnapshot(1, [new WorkloadInstance(Sleep, DateTimeOffset.UnixEpoch)]), new MeshSettings());

        var endpoints = SnapshotBuilder.Build(inputs, Sleep).Cluster("outbound|80||api.example.com").Endpoints.ToDictionary(e => e.Address);

        Assert.Equal(("region1/zone1", 0u), (endpoints["10.1.0.1"].Locality, endpoints["10.1.0.1"].Priority));
        Assert.Equal(("region2/zone9/sub", 3u), (endpoints["10.1.0.2"].Locality, endpoints["10.1.0.2"].Priority));
        Assert.Equal(("region1/zone1/sub1", 1u), (endpoints["10.1.0.3"].Locality, endpoints["10.1.0.3"].Priority));
    }
}
