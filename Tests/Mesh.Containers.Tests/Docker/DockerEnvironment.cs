using System.Diagnostics;
using DotNet.Testcontainers.Configurations;

namespace Mesh.Containers.Tests.Docker;

/// <summary>
/// Whether these tests can run here: a Docker daemon that answers, and the base images the mesh's
/// images are published on (<c>containers/build-base-images</c> serves it from a local registry
/// when no public registry is reachable). <see cref="Unavailable"/> says why not, for the skip.
/// </summary>
internal static class DockerEnvironment
{
    /// <summary>The base image of the framework-dependent images: control plane and apps (<c>MESH_CONTAINER_BASE_IMAGE</c> overrides it).</summary>
    public static readonly string BaseImage =
        Environment.GetEnvironmentVariable("MESH_CONTAINER_BASE_IMAGE") is { Length: > 0 } image ? image : "localhost:5000/dotnet/aspnet:10.0";

    /// <summary>
    /// The base image of the Native AOT images, sidecar and gateway: runtime-deps, no .NET runtime
    /// (<c>MESH_CONTAINER_AOT_BASE_IMAGE</c> overrides it).
    /// </summary>
    public static readonly string AotBaseImage =
        Environment.GetEnvironmentVariable("MESH_CONTAINER_AOT_BASE_IMAGE") is { Length: > 0 } image ? image : "localhost:5000/dotnet/runtime-deps:10.0";

    /// <summary>
    /// The sidecar's base: runtime-deps with iptables, since the sidecar's image is also the capture
    /// init container's (<c>MESH_CONTAINER_PROXY_BASE_IMAGE</c> overrides it).
    /// </summary>
    public static readonly string ProxyBaseImage =
        Environment.GetEnvironmentVariable("MESH_CONTAINER_PROXY_BASE_IMAGE") is { Length: > 0 } image ? image : "localhost:5000/mesh/proxy-base:10.0";

    static DockerEnvironment()
    {
        Unavailable = Probe();

        // Ryuk (the reaper container) is an image from Docker Hub, which these machines cannot
        // pull; every test disposes what it creates instead.
        TestcontainersSettings.ResourceReaperEnabled = false;
    }

    public static string? Unavailable { get; }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the container tests run Linux containers on a local Docker daemon (Linux only)";
        }

        var (exitCode, output) = Run("docker", "version", "--format", "{{.Server.APIVersion}}");
        if (exitCode != 0)
        {
            return $"no Docker daemon answers (`docker version`: {output.Trim()}); .ci/install-deps starts one where it can (docs/containers.md)";
        }

        // Testcontainers 4 asks for API 1.44 unless told otherwise; Debian bookworm's Docker
        // 20.10 speaks 1.41 and refuses newer clients. Speak the daemon's own version (read
        // before Testcontainers reads its settings).
        if (Environment.GetEnvironmentVariable("DOCKER_API_VERSION") is null or "")
        {
            Environment.SetEnvironmentVariable("DOCKER_API_VERSION", output.Trim());
        }

        return BaseImageMissing();
    }

    // The base images must be in a registry (the SDK's container publishing pulls them from there).
    private static string? BaseImageMissing()
    {
        foreach (var image in new[] { BaseImage, AotBaseImage, ProxyBaseImage })
        {
            var (exitCode, output) = Run("docker", "manifest", "inspect", "--insecure", image);
            if (exitCode != 0)
            {
                return $"the base image {image} is not in its registry ({output.Trim()}); run containers/build-base-images (docs/containers.md)";
            }
        }

        return null;
    }

    public static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{program}: {ex.Message}");
        }
    }
}
