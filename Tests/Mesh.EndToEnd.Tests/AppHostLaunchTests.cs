using System.Reflection;
using System.Reflection.PortableExecutable;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Mesh.EndToEnd.Tests;

/// <summary>
/// How the AppHost launches its apps (AppHost/BuildOutputLaunch.cs): <c>dotnet exec</c> of each
/// project's built assembly, from the project's folder, unless <c>--AppsWithDotnetRun true</c>.
/// The model only, nothing is started: that the apps do start that way (the assembly path in the
/// launch arguments is right) is BookinfoAppHostTests' subject, whose AppHost launches them so.
/// And the mesh's own programs (AppHost/Mesh.AppHost.csproj, MeshProgramsReadyToRun): their
/// ReadyToRun publish, not their Debug build.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class AppHostLaunchTests
{
    [Fact]
    public async Task Every_app_is_started_as_dotnet_exec_of_its_build_output()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>();
        var projects = builder.Resources.OfType<ProjectResource>().ToList();
        Assert.Contains(projects, p => p.Name == "productpage");

        foreach (var project in projects)
        {
            var projectPath = project.GetProjectMetadata().ProjectPath;
            var executable = Assert.Single(project.Annotations.OfType<ExecutableAnnotation>());
            Assert.Equal("dotnet", executable.Command);
            Assert.Equal(Path.GetDirectoryName(projectPath), executable.WorkingDirectory);
        }
    }

    [Fact]
    public async Task AppsWithDotnetRun_leaves_the_apps_to_aspires_own_launch()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(["--AppsWithDotnetRun", "true"]);

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            Assert.Empty(project.Annotations.OfType<ExecutableAnnotation>());
        }
    }

    [Fact]
    public async Task The_mesh_programs_run_from_their_ReadyToRun_publish()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>();
        var metadata = builder.AppHostAssembly!.GetCustomAttributes<AssemblyMetadataAttribute>().ToList();
        string Recorded(string key) => Assert.Single(metadata, a => a.Key == key).Value!;

        foreach (var key in new[] { "Mesh.ControlPlanePath", "Mesh.SidecarPath", "Mesh.GatewayPath" })
        {
            var assembly = Recorded(key);
            Assert.Equal("publish", Path.GetFileName(Path.GetDirectoryName(assembly)));
            using var pe = new PEReader(File.OpenRead(assembly));
            // A ReadyToRun image carries its native code behind the CLI header's ManagedNativeHeader.
            Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} has no ReadyToRun code");
        }

        // Each sidecar runs from the sidecar's publish folder (`dotnet exec <assembly>` from its folder).
        var sidecars = builder.Resources.OfType<ExecutableResource>().Where(r => r.Name.Contains("-sidecar", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sidecars);
        Assert.All(sidecars, s => Assert.Equal(Path.GetDirectoryName(Recorded("Mesh.SidecarPath")), s.WorkingDirectory));
    }
}
