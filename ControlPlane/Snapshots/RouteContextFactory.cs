using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>Creates <see cref="RouteContext"/>s that share the proxy identity and the referenced-cluster set.</summary>
internal sealed class RouteContextFactory(Wire.Node node, string nodeNamespace, ServiceIndex services, MeshSettings settings)
{
    public string NodeNamespace { get; } = nodeNamespace;

    public ServiceIndex Services { get; } = services;

    public MeshSettings Settings { get; } = settings;

    public SortedSet<(string Host, uint Port, string Subset)> ReferencedClusters { get; } = new();

    public RouteContext Create(uint port, string? gatewayKey) => new()
    {
        Node = node,
        NodeNamespace = NodeNamespace,
        GatewayKey = gatewayKey,
        Port = port,
        Services = Services,
        Settings = Settings,
        ReferencedClusters = ReferencedClusters,
    };
}
