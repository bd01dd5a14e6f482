using System.Reflection;

namespace Mesh.Hosting;

/// <summary>
/// Locations of the mesh's own projects (control plane, sidecar, gateway), recorded at build
/// time so an AppHost can run them without referencing them by path itself.
/// </summary>
internal static class MeshProjects
{
    public static string ControlPlane => Get("Mesh.ControlPlaneProject");

    public static string Sidecar => Get("Mesh.SidecarProject");

    public static string Gateway => Get("Mesh.GatewayProject");

    public static string RepositoryRoot => Get("Mesh.RepositoryRoot");

    private static string Get(string key) =>
        typeof(MeshProjects).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Mesh.Hosting was built without the '{key}' metadata.");
}
