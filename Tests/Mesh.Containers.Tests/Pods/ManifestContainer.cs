using System.Globalization;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Images;
using k8s.Models;
using Mesh.Containers.Tests.Docker;

namespace Mesh.Containers.Tests.Pods;

/// <summary>
/// One container of a published pod spec as Docker runs it, with what the kubelet would enforce:
/// the manifest's image, environment, arguments and volume mounts, its security context (user and
/// group, dropped and added capabilities, no privilege escalation, and <c>runAsNonRoot</c> refused for an image whose user
/// is root or not numeric, as the kubelet refuses it) and its memory limit.
/// </summary>
internal static class ManifestContainer
{
    /// <param name="volumes">Host directory of each of the pod's volumes, by volume name (the pod's emptyDirs and projected tokens).</param>
    public static ContainerBuilder Create(V1Container container, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> volumes)
    {
        var user = container.SecurityContext?.RunAsUser?.ToString(CultureInfo.InvariantCulture) ?? ImageUser(container.Image);
        if (container.SecurityContext?.RunAsNonRoot == true && (!int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid) || uid == 0))
        {
            throw new InvalidOperationException($"{container.Name}: runAsNonRoot is set but it would run as user '{user}' (image {container.Image}; the kubelet needs a numeric non-zero user to start it)");
        }

        var builder = new ContainerBuilder(container.Image)
            .WithImagePullPolicy(PullPolicy.Never)
            .WithEnvironment(environment)
            .WithCreateParameterModifier(parameters =>
            {
                var host = parameters.HostConfig ??= new();
                if (container.SecurityContext?.Capabilities?.Drop is { Count: > 0 } drop)
                {
                    host.CapDrop = [.. drop];
                }

                if (container.SecurityContext?.Capabilities?.Add is { Count: > 0 } add)
                {
                    host.CapAdd = [.. add];
                }

                if (container.SecurityContext?.AllowPrivilegeEscalation == false)
                {
                    host.SecurityOpt = ["no-new-privileges"];
                }

                if (container.Resources?.Limits?.TryGetValue("memory", out var memory) == true)
                {
                    host.Memory = memory.ToInt64();
                }

                if (container.SecurityContext?.RunAsUser is { } runAsUser)
                {
                    parameters.User = runAsUser.ToString(CultureInfo.InvariantCulture)
                        + (container.SecurityContext.RunAsGroup is { } group ? ":" + group.ToString(CultureInfo.InvariantCulture) : "");
                }
            });

        if (container.Args is { Count: > 0 } args)
        {
            // Kubernetes' args are Docker's command: the arguments of the image's entrypoint.
            builder = builder.WithCommand([.. args]);
        }

        foreach (var mount in container.VolumeMounts ?? [])
        {
            builder = builder.WithBindMount(volumes[mount.Name], mount.MountPath, mount.ReadOnlyProperty == true ? AccessMode.ReadOnly : AccessMode.ReadWrite);
        }

        return builder;
    }

    /// <summary>The user an image runs as (its config's <c>User</c>).</summary>
    public static string ImageUser(string image)
    {
        var (exitCode, output) = DockerEnvironment.Run("docker", "image", "inspect", "--format", "{{.Config.User}}", image);
        return exitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException($"image {image} is not in the local Docker daemon: {output.Trim()}");
    }
}
