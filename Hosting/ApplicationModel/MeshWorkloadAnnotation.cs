using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>Marks an app resource as meshed and links it to its workload description.</summary>
internal sealed class MeshWorkloadAnnotation(MeshWorkload workload) : IResourceAnnotation
{
    public MeshWorkload Workload { get; } = workload;
}
