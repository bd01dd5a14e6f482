using Aspire.Hosting;

namespace Mesh.Hosting;

/// <summary>Project metadata for the mesh's own programs (what Aspire generates as Projects.X for an AppHost).</summary>
internal sealed class MeshProjectMetadata(string projectPath) : IProjectMetadata
{
    public string ProjectPath { get; } = projectPath;

    /// <summary>
    /// The AppHost references the mesh's projects (ControlPlane, Sidecar, Gateway), so they are
    /// built with it; building again per resource would run several builds of one project at once.
    /// </summary>
    public bool SuppressBuild => true;
}
