using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// DestinationRule <c>localityLbSetting.distribute</c> as Istio applies it (applyLocalityWeights):
/// the first <c>from</c> matching the caller's locality decides; each <c>to</c> weight is shared by
/// the localities it matches; localities no <c>to</c> names lose their endpoints.
/// </summary>
public sealed class LocalityDistributionTests
{
    private const string Helloworld = "helloworld.default.svc.cluster.local";

    private static Node Workload(string name, string app, string locality, string address) =>
        LocalitySnapshotTests.Workload(name, LocalitySnapshotTests.At(app, locality), address);

    private static readonly Node Sleep = Workload("sleep", "sleep", "region1.zone1", "10.0.0.1");

    private static readonly Node[] Helloworlds =
    [
        Workload("helloworld-region1-zone1", "helloworld", "region1.zone1", "10.0.1.1"),
        Workload("helloworld-region1-zone2", "helloworld", "region1.zone2", "10.0.1.2"),
        Workload("helloworld-region1-zone2-b", "helloworld", "region1.zone2", "10.0.1.3"),
        Workload("helloworld-region2-zone3", "helloworld", "region2.zone3", "10.0.2.3"),
        Workload("helloworld-region3-zone4", "helloworld", "region3.zone4", "10.0.3.4"),
    ];

    private static Dictionary<string, (uint LocalityWeight, uint Priority)> Weights(string distribute, bool outlierDetection = true)
    {
        var rule = $$"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: helloworld}
            spec:
              host: {{Helloworld}}
              trafficPolicy:
                loadBalancer:
                  localityLbSetting:
                    enabled: true
                    distribute:
            {{distribute}}
            """ + (outlierDetection ? "\n    outlierDetection: {consecutive5xxErrors: 1}\n" : "\n");
        var registry = new RegistrySnapshot(1, [.. Helloworlds.Append(Sleep).Select(n => new WorkloadInstance(n, DateTimeOffset.UnixEpoch))]);
        var inputs = new SnapshotInputs(new MeshModel(1, [.. BookinfoMesh.Parse(rule)]), registry, new MeshSettings());
        var cluster = SnapshotBuilder.Build(inputs, Sleep).Cluster($"outbound|5000||{Helloworld}");
        return cluster.Endpoints.ToDictionary(e => e.Workload, e => (e.LocalityWeight, e.Priority));
    }

    [Fact]
    public void Istio_task_distribute_sends_80_percent_to_the_own_zone_and_20_to_the_other()
    {
        var weights = Weights("""
                    - from: region1/zone1/*
                      to:
                        "region1/zone1/*": 80
                        "region1/zone2/*": 20
            """);

        // Localities not named lose their endpoints; priorities are not used with distribute.
        Assert.Equal(["helloworld-region1-zone1", "helloworld-region1-zone2", "helloworld-region1-zone2-b"], weights.Keys.Order());
        Assert.Equal((80u, 0u), weights["helloworld-region1-zone1"]);
        Assert.Equal((20u, 0u), weights["helloworld-region1-zone2"]);
        Assert.Equal((20u, 0u), weights["helloworld-region1-zone2-b"]);
    }

    [Fact]
    public void A_wildcard_to_shares_its_weight_among_the_localities_it_matches_by_their_size()
    {
        // region1 has zone1 (1 endpoint) and zone2 (2 endpoints): 60 is shared 20/40.
        var weights = Weights("""
                    - from: "*"
                      to:
                        "region1/*": 60
                        region2: 25
                        region3: 15
            """, outlierDetection: false);

        Assert.Equal(20u, weights["helloworld-region1-zone1"].LocalityWeight);
        Assert.Equal(40u, weights["helloworld-region1-zone2"].LocalityWeight);
        Assert.Equal(25u, weights["helloworld-region2-zone3"].LocalityWeight);
        Assert.Equal(15u, weights["helloworld-region3-zone4"].LocalityWeight);
    }

    [Fact]
    public void Without_a_matching_from_the_cluster_is_unchanged()
    {
        var weights = Weights("""
                    - from: region9
                      to: {region1: 100}
            """);

        Assert.Equal(5, weights.Count);
        Assert.All(weights.Values, w => Assert.Equal(0u, w.LocalityWeight));
    }
}
