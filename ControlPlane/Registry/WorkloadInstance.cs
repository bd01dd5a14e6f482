using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// A connected proxy's workload as the registry knows it: the node it registered with
/// (treated as immutable once registered), when it connected, and whether its app is up as
/// its sidecar last reported (a workload that is not ready is no endpoint of its services).
/// </summary>
internal sealed record WorkloadInstance(Node Node, DateTimeOffset ConnectedSince)
{
    public bool Ready { get; init; } = true;
}
