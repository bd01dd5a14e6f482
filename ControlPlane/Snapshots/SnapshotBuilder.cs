using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Builds the snapshot one proxy needs from the accepted config, the registry and mesh
/// settings. Pure: the same inputs give the same snapshot (deterministic ordering; the
/// version is a hash of the content).
/// </summary>
public static class SnapshotBuilder
{
    public static ProxySnapshot Build(SnapshotInputs inputs, Node node)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(node);
        throw new NotImplementedException("SnapshotBuilder is being written (interim commit of the API surface).");
    }
}
