namespace Mesh.ControlPlane.Registry;

/// <summary>
/// A handle to one registration; removal goes through the handle so that only the stream that
/// registered a workload can remove it.
/// </summary>
internal sealed class WorkloadRegistration
{
    internal WorkloadRegistration(WorkloadInstance instance) => Instance = instance;

    public WorkloadInstance Instance { get; internal set; }
}
