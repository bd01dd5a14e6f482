using System.Reflection;
using Mesh.Testing.Proxy;

namespace Mesh.Containers.Tests.Docker;

/// <summary>
/// The images of the control plane, sidecar, gateway and Bookinfo apps, built once per test run
/// the documented way — `dotnet publish -t:PublishContainer` on the base image, no Dockerfile —
/// into the local Docker daemon: the control plane and the apps from the build the tests were
/// compiled with (no-build publish: the build already happened) on aspnet, the sidecar and the
/// gateway as they ship, Native AOT: the gateway on runtime-deps, the sidecar on proxy-base
/// (runtime-deps with iptables, for its capture init container). Repository names follow docs/kubernetes.md (project name, lower
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
            var program = Path.GetFileNameWithoutExtension(project);
            var (exitCode, output) = ShippedAsNativeAot.TryGetValue(program, out var aotBase)
                ? PublishNativeAot(project, program, repository, aotBase)
                : PublishFrameworkDependent(project, configuration, repository);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish -t:PublishContainer {Path.GetFileName(project)} failed ({exitCode}):\n{output}");
            }

            images[$"{repository}:{Tag}"] = project;
        }

        return images;
    }

    /// <summary>The programs whose shipped image is a Native AOT build, and its base (docs/containers.md).</summary>
    private static readonly Dictionary<string, string> ShippedAsNativeAot = new(StringComparer.Ordinal)
    {
        ["Mesh.Sidecar"] = DockerEnvironment.ProxyBaseImage,
        ["Mesh.Gateway"] = DockerEnvironment.AotBaseImage,
    };

    private static (int ExitCode, string Output) PublishFrameworkDependent(string project, string configuration, string repository)
    {
        var publishDirectory = Path.Combine(Path.GetTempPath(), "mesh-containers-publish-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            return DockerEnvironment.Run("dotnet", "publish", project, "-c", configuration, "--no-build", "-nologo", "-v", "minimal",
                "-t:PublishContainer",
                $"-p:ContainerBaseImage={DockerEnvironment.BaseImage}",
                $"-p:ContainerRepository={repository}",
                $"-p:ContainerImageTag={Tag}",
                // Its own publish folder: other test projects publish and pack these projects too.
                $"-p:PublishDir={publishDirectory}/",
                // The portable build the solution built (--no-build): the control plane lists its
                // runtime in RuntimeIdentifiers for the AppHost's ReadyToRun publish, which would
                // make the container publish look for a linux-x64 build that was never made.
                "-p:RuntimeIdentifiers=");
        }
        finally
        {
            if (Directory.Exists(publishDirectory))
            {
                Directory.Delete(publishDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// The documented AOT image command. With <c>MESH_TEST_SIDECAR</c> / <c>MESH_TEST_GATEWAY</c>
    /// naming a Native AOT publish folder (tools/test-aot), the image is made of that folder (the
    /// container target alone, no second native compile); otherwise the program is published with
    /// Native AOT here, with an artifacts path of its own under the test output (kept, so a second
    /// run compiles only what changed, and apart from everyone's Debug builds).
    /// </summary>
    private static (int ExitCode, string Output) PublishNativeAot(string project, string program, string repository, string baseImage)
    {
        string[] container = ["-p:RuntimeIdentifier=linux-x64", "-p:PublishAot=true", $"-p:ContainerBaseImage={baseImage}",
            $"-p:ContainerRepository={repository}", $"-p:ContainerImageTag={Tag}", "-nologo", "-v", "minimal"];
        if (ProxyProgram.IsSelected(program))
        {
            var published = Path.GetDirectoryName(ProxyProgram.Path(program, program + ".dll"))!;
            return DockerEnvironment.Run("dotnet", ["msbuild", project, "-t:PublishContainer", "-p:Configuration=Release", $"-p:PublishDir={published}/", .. container]);
        }

        var artifacts = Path.Combine(AppContext.BaseDirectory, "aot-artifacts");
        string[] compiler = File.Exists("/usr/bin/clang") || !File.Exists("/usr/bin/clang-14") ? [] : ["-p:CppCompilerAndLinker=clang-14"];
        return DockerEnvironment.Run("dotnet", ["publish", project, "-c", "Release", "-t:PublishContainer", "--artifacts-path", artifacts,
            "-p:TreatWarningsAsErrors=false", .. compiler, .. container]);
    }
}
