using System.Reflection;
using Aspire.Hosting;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// One of the mesh's own programs (control plane, sidecar, gateway): a framework-dependent .NET
/// app that the AppHost starts with <c>dotnet exec</c>. Where it is comes from the AppHost
/// assembly, recorded at build time by Mesh.Hosting's MSBuild targets (build/Mesh.Hosting.targets)
/// — from the package's <c>tools/</c> folder, or in the Mesh repository from the projects' build
/// output — the way Aspire records where DCP and its dashboard are. Nothing is looked up by source path.
/// </summary>
internal sealed record MeshProgram(string Name, string AssemblyFileName, string ImageRepository)
{
    public static MeshProgram ControlPlane { get; } = new("ControlPlane", "Mesh.ControlPlane.dll", "mesh-controlplane");

    public static MeshProgram Sidecar { get; } = new("Sidecar", "Mesh.Sidecar.dll", "mesh-sidecar");

    public static MeshProgram Gateway { get; } = new("Gateway", "Mesh.Gateway.dll", "mesh-gateway");

    /// <summary>The AssemblyMetadata key build/Mesh.Hosting.targets writes into the AppHost assembly.</summary>
    public string MetadataKey => $"Mesh.{Name}Path";

    /// <summary>The program's assembly, checked to exist; a clear error names what to fix otherwise.</summary>
    public string Locate(IDistributedApplicationBuilder builder)
    {
        var path = builder.AppHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        if (string.IsNullOrEmpty(path))
        {
            throw new DistributedApplicationException(
                $"The mesh's {Name} program is not known to this AppHost: its assembly has no '{MetadataKey}' metadata. " +
                "Reference the Mesh.Hosting package from the AppHost project (its build targets record where the control plane, " +
                "sidecar and gateway are), then build the AppHost again.");
        }

        if (!File.Exists(path))
        {
            throw new DistributedApplicationException(
                $"The mesh's {Name} program is missing: '{path}' does not exist. Restore and build the AppHost again " +
                "(the Mesh.Hosting package may have been removed from the NuGet package cache).");
        }

        return path;
    }
}
