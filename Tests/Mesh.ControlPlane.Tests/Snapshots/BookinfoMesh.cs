using System.Collections.Immutable;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// A Bookinfo registry (productpage, details, reviews v1-v3, ratings, an ingress gateway) and
/// the Istio sample configs from samples/bookinfo/networking, as snapshot builder inputs.
/// </summary>
internal static class BookinfoMesh
{
    public static Node ProductPage { get; } = Workload("productpage-v1", "productpage", "v1", "10.0.0.1", 15001);

    public static Node Details { get; } = Workload("details-v1", "details", "v1", "10.0.0.2", 15002);

    public static Node ReviewsV1 { get; } = Workload("reviews-v1", "reviews", "v1", "10.0.0.3", 15003);

    public static Node ReviewsV2 { get; } = Workload("reviews-v2", "reviews", "v2", "10.0.0.4", 15004);

    public static Node ReviewsV3 { get; } = Workload("reviews-v3", "reviews", "v3", "10.0.0.5", 15005);

    public static Node Ratings { get; } = Workload("ratings-v1", "ratings", "v1", "10.0.0.6", 15006);

    public static Node IngressGateway { get; } = new()
    {
        Id = "istio-ingressgateway-1",
        Workload = "istio-ingressgateway",
        Namespace = "istio-system",
        ServiceAccount = "istio-ingressgateway",
        Mode = ProxyMode.Gateway,
        Address = "127.0.0.1",
        Labels = { ["istio"] = "ingressgateway", ["app"] = "istio-ingressgateway" },
    };

    public static RegistrySnapshot Registry { get; } = new(7,
    [
        .. new[] { ProductPage, Details, ReviewsV1, ReviewsV2, ReviewsV3, Ratings, IngressGateway }
            .Select(n => new WorkloadInstance(n, DateTimeOffset.UnixEpoch)),
    ]);

    public static SnapshotInputs Inputs(params string[] sampleFiles) => Inputs(Load(sampleFiles));

    public static SnapshotInputs Inputs(IEnumerable<ConfigObject> objects) =>
        new(new MeshModel(3, [.. objects]), Registry, new MeshSettings { TrustBundlePem = ["-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"] });

    public static IReadOnlyList<ConfigObject> Load(params string[] sampleFiles)
    {
        var objects = new List<ConfigObject>();
        foreach (var file in sampleFiles)
        {
            var result = ConfigParser.Parse(File.ReadAllText(Path.Combine(SamplesDirectory, file)), file);
            Assert.Empty(result.Errors);
            objects.AddRange(result.Objects);
        }

        return objects;
    }

    /// <summary>The snapshot <paramref name="node"/> receives for <paramref name="yaml"/>, which must be valid.</summary>
    public static ProxySnapshot BuildValid(string yaml, Node node)
    {
        var objects = Parse(yaml);
        Assert.Empty(Mesh.Config.Validation.ConfigValidator.Validate(objects).Select(e => e.ToString()));
        return SnapshotBuilder.Build(Inputs(objects), node);
    }

    public static IReadOnlyList<ConfigObject> Parse(string yaml)
    {
        var result = ConfigParser.Parse(yaml, "test");
        Assert.Empty(result.Errors.Select(e => e.ToString()));
        return result.Objects;
    }

    public static string SamplesDirectory { get; } = FindSamples();

    private static Node Workload(string workload, string app, string version, string address, uint inboundPort) => new()
    {
        Id = $"{workload}-0",
        Workload = workload,
        Namespace = "default",
        ServiceAccount = $"bookinfo-{app}",
        Mode = ProxyMode.Sidecar,
        Address = address,
        Labels = { ["app"] = app, ["version"] = version },
        Services =
        {
            new ServiceMembership
            {
                Name = app,
                Ports = { new ServicePort { Name = "http", Port = 9080, Protocol = Protocol.Http, InboundPort = inboundPort, TargetPort = 9080 } },
            },
        },
    };

    private static string FindSamples()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return Path.Combine(directory.FullName, "samples", "bookinfo", "networking");
            }
        }

        throw new InvalidOperationException("repository root (Mesh.sln) not found");
    }

    public static VirtualHost Host(this ProxySnapshot snapshot, string name) =>
        Assert.Single(snapshot.VirtualHosts, v => v.Name == name);

    public static Cluster Cluster(this ProxySnapshot snapshot, string name) =>
        Assert.Single(snapshot.Clusters, c => c.Name == name);
}
