using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.MeshConfiguration;

/// <summary>
/// Istio's <c>MeshNetworks</c> (mesh/v1alpha1/network.proto), the <c>meshNetworks</c> key of the mesh
/// config ConfigMap: per network, which endpoints are on it (<c>fromCidr</c>, <c>fromRegistry</c>)
/// and the east-west gateways through which other networks reach them.
/// </summary>
public sealed record MeshNetworks
{
    public ValueMap<MeshNetwork> Networks { get; init; } = ValueMap<MeshNetwork>.Empty;
}

/// <summary>One network of <see cref="MeshNetworks"/>.</summary>
public sealed record MeshNetwork
{
    public ValueList<MeshNetworkEndpoints> Endpoints { get; init; } = [];

    public ValueList<MeshNetworkGateway> Gateways { get; init; } = [];
}

/// <summary>Which endpoints are on a network: those whose address is in <c>fromCidr</c>, or those of the registry (cluster) <c>fromRegistry</c>.</summary>
public sealed record MeshNetworkEndpoints
{
    public string? FromCidr { get; init; }

    public string? FromRegistry { get; init; }
}

/// <summary>
/// A network's east-west gateway: an <c>address</c> (IP or host name), or <c>registryServiceName</c>,
/// the gateway's service in the registry (its endpoints' addresses); <c>port</c> is where it takes
/// mTLS by SNI (15443). <c>locality</c> is accepted and not used.
/// </summary>
public sealed record MeshNetworkGateway
{
    public string? RegistryServiceName { get; init; }

    public string? Address { get; init; }

    public uint? Port { get; init; }

    public string? Locality { get; init; }
}
