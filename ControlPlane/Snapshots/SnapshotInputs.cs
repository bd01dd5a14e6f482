using Mesh.Config.Model;
using Mesh.ControlPlane.Registry;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Everything a snapshot is a pure function of (besides the node): the accepted config,
/// the registry, and mesh-wide settings.
/// </summary>
public sealed record SnapshotInputs(MeshModel Model, RegistrySnapshot Registry, MeshSettings Settings);

/// <summary>Mesh-wide settings that are not Istio resources (MeshConfig in Istio terms).</summary>
public sealed record MeshSettings
{
    public string TrustDomain { get; init; } = "cluster.local";

    /// <summary>The root namespace: mesh-wide policies live here (Istio's istio-system).</summary>
    public string RootNamespace { get; init; } = "istio-system";

    public string DefaultNamespace { get; init; } = "default";

    /// <summary>PEM roots of the mesh CA, pushed to every proxy as its trust bundle.</summary>
    public IReadOnlyList<string> TrustBundlePem { get; init; } = [];
}
