using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>The publish settings (Mesh:Kubernetes:*) and the errors publishing reports instead of writing bad manifests.</summary>
public sealed class PublishOptionsTests
{
    [Fact]
    public async Task Namespaces_resources_and_network_policies_follow_the_settings()
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var output = root.Combine("deploy");
        await Publisher.PublishAsync(BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(output)));
        Assert.True(File.Exists(Path.Combine(output, "workloads", "networkpolicy-reviews.yaml")));

        await Publisher.PublishAsync(BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(output,
            "--Mesh:Kubernetes:ControlPlaneNamespace=mesh-system",
            "--Mesh:Kubernetes:Replicas=3",
            "--Mesh:Kubernetes:Resources:Sidecar:Limits:Cpu=500m",
            "--Mesh:Kubernetes:Resources:Sidecar:Limits:Memory=",
            "--Mesh:Kubernetes:NetworkPolicies=false")));

        var files = BookinfoPublishFixture.ReadTree(output);
        Assert.DoesNotContain(files.Keys, f => f.Contains("networkpolicy", StringComparison.Ordinal));
        Assert.DoesNotContain("networkpolicy", files["kustomization.yaml"], StringComparison.Ordinal);
        Assert.True(files.ContainsKey("namespace-mesh-system.yaml"));
        Assert.False(files.ContainsKey("namespace-istio-system.yaml"), "the stale namespace file must be removed");
        Assert.Contains("  namespace: mesh-system\n", files["mesh-config/peerauthentication-mesh-system-default.yaml"], StringComparison.Ordinal);
        Assert.Contains("  namespace: default\n", files["mesh-config/virtualservice-default-reviews.yaml"], StringComparison.Ordinal);

        var deployment = KubernetesYaml.Deserialize<V1Deployment>(files["workloads/deployment-details.yaml"]);
        // details has WithReplicas(2): a resource's own replica count wins over the default for all.
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(3, KubernetesYaml.Deserialize<V1Deployment>(files["workloads/deployment-ratings.yaml"]).Spec.Replicas);
        var sidecar = deployment.Spec.Template.Spec.InitContainers[0];
        Assert.Equal("500m", sidecar.Resources.Limits["cpu"].ToString());
        Assert.False(sidecar.Resources.Limits.ContainsKey("memory"));
        Assert.Equal("http://controlplane.mesh-system.svc:15012", sidecar.Env.Single(e => e.Name == "Mesh__ControlPlane__Address").Value);
        Assert.Equal("default", deployment.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task A_resource_setting_overrides_the_replica_count_of_WithReplicas()
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var output = root.Combine("deploy");
        await Publisher.PublishAsync(BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(output, "--Mesh:Kubernetes:Workloads:details:Replicas=4")));

        var files = BookinfoPublishFixture.ReadTree(output);
        Assert.Equal(4, KubernetesYaml.Deserialize<V1Deployment>(files["workloads/deployment-details.yaml"]).Spec.Replicas);
    }

    [Theory]
    [InlineData("--Mesh:Kubernetes:Replicas=-1", "Mesh:Kubernetes:Replicas must be a whole number >= 0 (got '-1')")]
    [InlineData("--Mesh:Kubernetes:Capture=nftables", "Mesh:Kubernetes:Capture must be none or iptables (got 'nftables')")]
    [InlineData("--Mesh:Kubernetes:ImagePullPolicy=Sometimes", "Mesh:Kubernetes:ImagePullPolicy must be Always, IfNotPresent or Never (got 'Sometimes')")]
    [InlineData("--Mesh:Kubernetes:Resources:App:Requests:Memory=lots", "Mesh:Kubernetes:Resources:App:Requests:Memory is not a Kubernetes quantity (got 'lots')")]
    public async Task Bad_settings_fail_the_publish_with_a_clear_error(string setting, string message)
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var log = await Publisher.PublishAsync(BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(root.Combine("deploy"), setting)));
        Assert.Contains(message, log, StringComparison.Ordinal);
        Assert.False(File.Exists(root.Combine("deploy", "kustomization.yaml")));
    }

    [Fact]
    public async Task An_invalid_mesh_config_fails_the_publish_with_every_error()
    {
        using var root = new TemporaryDirectory();
        var config = root.Combine("config");
        BookinfoPublishFixture.CreateConfigDirectory(config);
        File.WriteAllText(Path.Combine(config, "split.yaml"), """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: split
            spec:
              hosts:
              - ratings
              http:
              - route:
                - destination:
                    host: ratings
                  weight: 105
                - destination:
                    host: ratings
                  weight: -5
            """);
        var log = await Publisher.PublishAsync(BookinfoAppModel.Create(config, Publisher.Args(root.Combine("deploy"))));
        Assert.Matches(@"split\.yaml \(document 1, line 1[25]\) VirtualService/split: spec\.http\[0\]\.route\[[01]\]\.weight", log);
        Assert.False(File.Exists(root.Combine("deploy", "kustomization.yaml")));
    }

    [Fact]
    public async Task Values_that_cannot_exist_on_the_cluster_fail_the_publish_naming_the_variable()
    {
        using var root = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(root.Combine("config"));
        var builder = BookinfoAppModel.Create(root.Combine("config"), Publisher.Args(root.Combine("deploy"), "--Parameters:apikey=s3cret"));
        var cache = builder.AddContainer("cache", "redis").WithEndpoint(targetPort: 6379, name: "tcp");
        var details = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "details");
        builder.CreateResourceBuilder(details).WithEnvironment("CACHE_URL", cache.GetEndpoint("tcp"));

        var log = await Publisher.PublishAsync(builder);
        Assert.Contains("'details': environment variable CACHE_URL: 'cache' is not published to Kubernetes", log, StringComparison.Ordinal);
        Assert.Contains("Not published (not in the mesh; deploy them yourself): cache", log, StringComparison.Ordinal);
        Assert.False(File.Exists(root.Combine("deploy", "kustomization.yaml")));

        using var other = new TemporaryDirectory();
        BookinfoPublishFixture.CreateConfigDirectory(other.Combine("config"));
        builder = BookinfoAppModel.Create(other.Combine("config"), Publisher.Args(other.Combine("deploy"), "--Parameters:apikey=s3cret"));
        var apiKey = builder.AddParameter("apikey", secret: true);
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "ratings")).WithEnvironment("API_KEY", apiKey);
        log = await Publisher.PublishAsync(builder);
        Assert.Contains("'ratings': environment variable API_KEY: the secret parameter 'apikey' would be written into a manifest in clear text", log, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", string.Join("", Directory.EnumerateFiles(other.Path, "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
    }
}
