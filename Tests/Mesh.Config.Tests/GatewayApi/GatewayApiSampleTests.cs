using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Model.Core;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests.GatewayApi;

/// <summary>
/// Istio's Gateway API task files (samples/bookinfo/gateway-api, samples/tcp-echo/gateway-api) and
/// its per-version Services (samples/bookinfo/platform/kube/bookinfo-versions.yaml) parse, validate
/// and round-trip unchanged.
/// </summary>
public sealed class GatewayApiSampleTests
{
    public static TheoryData<string> SampleFiles() => new(
        new[] { "samples/bookinfo/gateway-api", "samples/tcp-echo/gateway-api", "samples/bookinfo/platform/kube" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(RepositoryFiles.Root, folder), "*.yaml"))
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_parses_and_validates_without_errors(string file)
    {
        var result = ConfigParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, file)), file);

        Assert.Empty(result.Errors.Select(e => e.ToString()));
        Assert.NotEmpty(result.Objects);
        Assert.Empty(ConfigValidator.Validate(result.Objects).Select(e => e.ToString()));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_round_trips_through_the_serializer(string file)
    {
        var parsed = ConfigParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, file)), file).Objects;

        var yaml = ConfigSerializer.ToYaml(parsed);
        var reparsed = ConfigParser.Parse(yaml, "serialized").Objects;

        Assert.Equal(parsed.Count, reparsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            Assert.Equal(parsed[i].Kind, reparsed[i].Kind);
            Assert.Equal(parsed[i].ApiVersion, reparsed[i].ApiVersion);
            Assert.Equal(parsed[i].Metadata, reparsed[i].Metadata);
            Assert.Equal(parsed[i].Spec, reparsed[i].Spec);
        }
    }

    [Fact]
    public void The_bookinfo_gateway_and_routes_read_as_the_Gateway_API_kinds()
    {
        var objects = ConfigParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples/bookinfo/gateway-api/bookinfo-gateway.yaml")), "x").Objects;

        var gateway = objects[0].SpecAs<KubernetesGatewayConfig>();
        Assert.Equal("Gateway.gateway.networking.k8s.io", objects[0].Kind);
        Assert.Equal("istio", gateway.GatewayClassName);
        Assert.Equal(FromNamespaces.Same, gateway.Listeners[0].AllowedRoutes!.Namespaces!.From);
        var route = objects[1].SpecAs<HttpRouteConfig>();
        Assert.Equal("HTTPRoute", objects[1].Kind);
        Assert.Equal([PathMatchType.Exact, PathMatchType.PathPrefix, PathMatchType.Exact, PathMatchType.Exact, PathMatchType.PathPrefix],
            route.Rules[0].Matches.Select(m => m.Path!.Type!.Value));
        Assert.Equal(9080, route.Rules[0].BackendRefs[0].Port);

        var versions = ConfigParser.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples/bookinfo/platform/kube/bookinfo-versions.yaml")), "y").Objects;
        Assert.Equal(["reviews-v1", "reviews-v2", "reviews-v3", "productpage-v1", "ratings-v1", "details-v1"], versions.Select(v => v.Metadata.Name));
        Assert.All(versions, v => Assert.Equal("v1", v.ApiVersion));
        Assert.Equal("v2", versions[1].SpecAs<KubernetesServiceConfig>().Selector["version"]);
    }
}
