using Aspire.Hosting;

namespace Mesh.Hosting;

/// <summary>Project metadata for the mesh's own programs (what Aspire generates as Projects.X for an AppHost).</summary>
internal sealed class MeshProjectMetadata(string projectPath) : IProjectMetadata
{
    public string ProjectPath { get; } = projectPath;
}
