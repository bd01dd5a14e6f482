using k8s;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>
/// The documented command on the repository's own AppHost: <c>dotnet run --project AppHost --
/// --operation publish --step publish-kubernetes --output-path &lt;dir&gt;</c> writes manifests that
/// pass both validators and <c>kubectl kustomize</c>. Runs the built AppHost (the CI builds the
/// solution first).
/// </summary>
public sealed class AppHostPublishTests
{
    [AppHostUsesMeshFact]
    public async Task The_AppHost_publishes_valid_manifests_with_one_command()
    {
        using var output = new TemporaryDirectory();
        var (exitCode, log) = await Processes.RunAsync("dotnet",
            ["run", "--project", Path.Combine(RepositoryPaths.Root, "AppHost"), "--no-build", "--no-launch-profile", "--",
             "--operation", "publish", "--step", "publish-kubernetes", "--output-path", output.Path, "--Mesh:Kubernetes:Tag=test"],
            RepositoryPaths.Root, timeoutSeconds: 180);
        Assert.True(exitCode == 0, log);
        Assert.Contains("Kubernetes manifests", log, StringComparison.Ordinal);

        var files = BookinfoPublishFixture.ReadTree(output.Path);
        Assert.Contains("controlplane/deployment.yaml", files.Keys);
        Assert.Contains(files.Keys, f => f.StartsWith("workloads/deployment-", StringComparison.Ordinal));
        foreach (var (path, text) in files.Where(f => !f.Key.StartsWith("mesh-config/", StringComparison.Ordinal) && !f.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal)))
        {
            Assert.Single(KubernetesYaml.LoadAllFromString(text, null, strict: true));
        }

        var (validated, report) = await NodeValidator.RunAsync(output.Path);
        Assert.True(validated == 0, report);

        if (Processes.OnPath("kubectl"))
        {
            var (built, manifests) = await Processes.RunAsync("kubectl", ["kustomize", output.Path], output.Path);
            Assert.True(built == 0, manifests);
        }
    }
}

/// <summary>Runs only once the repository's AppHost declares a mesh (AddMeshControlPlane registers the publish step).</summary>
public sealed class AppHostUsesMeshFactAttribute : FactAttribute
{
    public AppHostUsesMeshFactAttribute()
    {
        var appHost = Path.Combine(RepositoryPaths.Root, "AppHost", "AppHost.cs");
        if (!File.Exists(appHost) || !File.ReadAllText(appHost).Contains("AddMeshControlPlane", StringComparison.Ordinal))
        {
            Skip = "the AppHost does not declare a mesh yet";
        }
    }
}
