using k8s;
using k8s.Models;
using Mesh.Config.Model;
using Mesh.Hosting.Kubernetes;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>
/// Every published object through the available Kubernetes manifest checks: KubernetesClient's
/// strict load (unknown fields, wrong types), the Kubernetes and Istio OpenAPI schemas via npm
/// kubernetes-models (required fields, types, enums), the generated CRDs' own schemas for the
/// custom resources, and <c>kubectl kustomize</c> where kubectl exists.
/// </summary>
public sealed class KubernetesValidationTests(BookinfoPublishFixture bookinfo) : IClassFixture<BookinfoPublishFixture>
{
    private IEnumerable<KeyValuePair<string, string>> Manifests =>
        bookinfo.Files.Where(f => f.Key.EndsWith(".yaml", StringComparison.Ordinal) && !f.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal));

    [Fact]
    public void Every_built_in_object_loads_strictly_with_KubernetesClient()
    {
        var builtIn = Manifests.Where(f => !f.Key.StartsWith("mesh-config/", StringComparison.Ordinal)).ToList();
        Assert.True(builtIn.Count >= 35, $"only {builtIn.Count} manifests");
        foreach (var (path, text) in builtIn)
        {
            var objects = KubernetesYaml.LoadAllFromString(text, null, strict: true);
            var single = Assert.Single(objects);
            Assert.IsAssignableFrom<IKubernetesObject>(single);
        }
    }

    [Fact]
    public void The_strict_load_rejects_an_unknown_field()
    {
        var deployment = bookinfo.Files["workloads/deployment-details.yaml"].Replace("\nspec:\n", "\nspec:\n  replica: 1\n", StringComparison.Ordinal);
        Assert.Contains("  replica: 1\n", deployment, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(deployment, null, strict: true));
    }

    [Fact]
    public async Task Every_object_passes_the_Kubernetes_and_Istio_OpenAPI_schemas()
    {
        var (exitCode, output) = await NodeValidator.RunAsync(bookinfo.Output);
        Assert.True(exitCode == 0, output);
        Assert.Contains($"{Manifests.Count()} objects, 0 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_validator_reports_a_missing_required_field()
    {
        using var directory = new TemporaryDirectory();
        var service = bookinfo.Files["workloads/service-reviews.yaml"].Replace("    port: 9080\n", "", StringComparison.Ordinal);
        File.WriteAllText(directory.Combine("service.yaml"), service);
        var (exitCode, output) = await NodeValidator.RunAsync(directory.Path);
        Assert.Equal(1, exitCode);
        Assert.Contains("must have required property", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_custom_resource_validates_against_its_generated_CRD()
    {
        var crds = bookinfo.Files.Where(f => f.Key.StartsWith("crds/", StringComparison.Ordinal) && !f.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal))
            .Select(f => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(f.Value))
            .ToDictionary(c => c.Spec.Names.Kind);
        // The Gateway API's kinds have their CRDs from the Gateway API project (a prerequisite, docs/kubernetes.md).
        var resources = Manifests.Where(f => f.Key.StartsWith("mesh-config/", StringComparison.Ordinal) && !f.Value.Contains("apiVersion: gateway.networking.k8s.io/", StringComparison.Ordinal)).ToList();
        Assert.Equal(11, resources.Count);
        Assert.Equal(2, Manifests.Count(f => f.Key.StartsWith("mesh-config/", StringComparison.Ordinal)) - resources.Count);
        foreach (var (path, text) in resources)
        {
            var document = Assert.Single(YamlJson.Documents(text))!;
            var crd = crds[document["kind"]!.GetValue<string>()];
            Assert.Contains(crd.Spec.Versions, v => document["apiVersion"]!.GetValue<string>() == $"{crd.Spec.Group}/{v.Name}");
            Assert.Empty(CrdSchemas.Errors(CrdSchemas.For(crd), document));
        }
    }

    [KubectlFact]
    public async Task Kubectl_kustomize_builds_every_object()
    {
        var (exitCode, output) = await Processes.RunAsync("kubectl", ["kustomize", bookinfo.Output], bookinfo.Output);
        Assert.True(exitCode == 0, output);
        var documents = YamlJson.Documents(output);
        Assert.Equal(Manifests.Count(), documents.Count);

        // The CRDs have a kustomization of their own, applied (and established) first.
        (exitCode, output) = await Processes.RunAsync("kubectl", ["kustomize", Path.Combine(bookinfo.Output, KubernetesManifestBuilder.CrdFolder)], bookinfo.Output);
        Assert.True(exitCode == 0, output);
        Assert.Equal(ConfigKinds.Istio.Count, YamlJson.Documents(output).Count);
    }
}
