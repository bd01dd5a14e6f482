using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Registry;

/// <summary>
/// A connected proxy's workload as the registry knows it: the node it registered with
/// (treated as immutable once registered) and when it connected.
/// </summary>
internal sealed record WorkloadInstance(Node Node, DateTimeOffset ConnectedSince);
