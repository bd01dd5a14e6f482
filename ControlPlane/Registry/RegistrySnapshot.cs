using System.Collections.Immutable;

namespace Mesh.ControlPlane.Registry;

/// <summary>An immutable view of every registered workload, versioned by registry changes.</summary>
internal sealed record RegistrySnapshot(long Version, ImmutableArray<WorkloadInstance> Workloads)
{
    public static RegistrySnapshot Empty { get; } = new(0, []);
}
