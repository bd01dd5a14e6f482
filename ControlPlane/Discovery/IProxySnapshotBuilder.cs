using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>Builds one proxy's snapshot from the inputs; must be pure (same inputs, same snapshot).</summary>
internal interface IProxySnapshotBuilder
{
    ProxySnapshot Build(SnapshotInputs inputs, Node node);
}

/// <summary>The production builder: <see cref="SnapshotBuilder"/>.</summary>
internal sealed class DefaultProxySnapshotBuilder : IProxySnapshotBuilder
{
    public ProxySnapshot Build(SnapshotInputs inputs, Node node) => SnapshotBuilder.Build(inputs, node);
}
