using System.Reflection;

namespace Mesh.Containers.Tests.Docker;

/// <summary>
/// The images of the control plane, sidecar, gateway and Bookinfo apps, built once per test run
/// the documented way — `dotnet publish -t:PublishContainer` on the base image, no Dockerfile —
/// from the build the tests were compiled with (no-build publish: the build already happened),
/// into the local Docker daemon. Repository names follow docs/kubernetes.md (project name, lower
/// case, dots as dashes), which is how the manifests name them.
/// </summary>
internal static class MeshImages
{
    public const string Tag = "containers-test";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IReadOnlyDictionary<string, string>? _built;

    /// <summary>Image name → the project it was published from.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EnsureBuiltAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _built ??= await Task.Run(Build);
        }
        finally
        {
            Gate.Release();
        }
    }

    public static string RepositoryOf(string projectPath) =>
        Path.GetFileNameWithoutExtension(projectPath).ToLowerInvariant().Replace('.', '-');

    private static Dictionary<string, string> Build()
    {
        var assembly = typeof(MeshImages).Assembly;
        var configuration = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Where(a => a.Key.StartsWith("ImageProject:", StringComparison.Ordinal)).Select(a => a.Value!))
        {
            var repository = RepositoryOf(project);
            var publishDirectory = Path.Combine(Path.GetTempPath(), "mesh-containers-publish-" + Guid.NewGuid().ToString("N")[..8]);
            var (exitCode, output) = DockerEnvironment.Run("dotnet", "publish", project, "-c", configuration, "--no-build", "-nologo", "-v", "minimal",
                "-t:PublishContainer",
                $"-p:ContainerBaseImage={DockerEnvironment.BaseImage}",
                $"-p:ContainerRepository={repository}",
                $"-p:ContainerImageTag={Tag}",
                // Its own publish folder: other test projects publish and pack these projects too.
                $"-p:PublishDir={publishDirectory}/");
            if (Directory.Exists(publishDirectory))
            {
                Directory.Delete(publishDirectory, recursive: true);
            }

            if (exitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish -t:PublishContainer {Path.GetFileName(project)} failed ({exitCode}):\n{output}");
            }

            images[$"{repository}:{Tag}"] = project;
        }

        return images;
    }
}
