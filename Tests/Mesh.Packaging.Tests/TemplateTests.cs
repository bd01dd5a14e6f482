using Mesh.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Packaging.Tests;

/// <summary>
/// The template pack from the local feed: `dotnet new mesh-app` creates an AppHost with two meshed
/// services that restores offline from the feed, builds with warnings as errors, and whose
/// publish-kubernetes step — run from the Mesh.Hosting package — writes the mesh's manifests.
/// `dotnet new mesh-servicedefaults` creates a project that builds on its own.
/// </summary>
[Collection(PackagedMeshCollection.Name)]
public sealed class TemplateTests(PackagedMesh mesh, ITestOutputHelper output)
{
    [Fact]
    public async Task The_mesh_app_template_builds_and_publishes_Kubernetes_manifests_from_the_packages()
    {
        output.WriteLine(mesh.Timings);
        var solution = Path.Combine(mesh.Workspace, "Contoso.Shop");
        await mesh.Cli.RunAsync("dotnet", ["new", "mesh-app", "-o", solution, "--debug:custom-hive", mesh.TemplateHive], mesh.Workspace);

        var appHost = Path.Combine(solution, "Contoso.Shop.AppHost");
        var appHostCode = File.ReadAllText(Path.Combine(appHost, "AppHost.cs"));
        Assert.Contains("Projects.Contoso_Shop_ApiService", appHostCode, StringComparison.Ordinal);
        Assert.Contains($"Include=\"Mesh.Hosting\" Version=\"{mesh.Version}\"", File.ReadAllText(Path.Combine(appHost, "Contoso.Shop.AppHost.csproj")), StringComparison.Ordinal);
        Assert.Contains("namespace Contoso.Shop.ServiceDefaults;", File.ReadAllText(Path.Combine(solution, "Contoso.Shop.ServiceDefaults", "ServiceDefaultsExtensions.cs")), StringComparison.Ordinal);

        await mesh.Cli.RunAsync("dotnet", ["build", Path.Combine(solution, "Contoso.Shop.slnx"), "-warnaserror", "-p:NoWarn=ASPIRE010", "-nologo"], solution);

        var deploy = Path.Combine(mesh.Workspace, "contoso-deploy");
        var log = await mesh.Cli.RunAsync("dotnet",
            ["run", "--project", appHost, "--no-build", "--no-launch-profile", "--",
             "--operation", "publish", "--step", "publish-kubernetes", "--output-path", deploy, $"--Mesh:Kubernetes:Tag={mesh.Version}"],
            solution);
        Assert.Contains("Kubernetes manifests", log, StringComparison.Ordinal);

        var controlPlane = File.ReadAllText(Path.Combine(deploy, "controlplane", "deployment.yaml"));
        Assert.Contains($"image: mesh-controlplane:{mesh.Version}", controlPlane, StringComparison.Ordinal);
        foreach (var workload in new[] { "apiservice", "webfrontend" })
        {
            var deployment = File.ReadAllText(Path.Combine(deploy, "workloads", $"deployment-{workload}.yaml"));
            Assert.Contains($"image: mesh-sidecar:{mesh.Version}", deployment, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(deploy, "crds", "virtualservices.networking.istio.io.yaml")));
    }

    [Fact]
    public async Task The_servicedefaults_template_builds_on_its_own()
    {
        var project = Path.Combine(mesh.Workspace, "Fabrikam.ServiceDefaults");
        await mesh.Cli.RunAsync("dotnet", ["new", "mesh-servicedefaults", "-o", project, "--debug:custom-hive", mesh.TemplateHive], mesh.Workspace);
        Assert.True(File.Exists(Path.Combine(project, "Fabrikam.ServiceDefaults.csproj")));
        await mesh.Cli.RunAsync("dotnet", ["build", project, "-warnaserror", "-nologo"], project);
    }
}
