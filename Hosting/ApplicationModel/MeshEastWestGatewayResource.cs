using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// Istio's east-west gateway for the control plane's network: the gateway program with the
/// cross-network server (15443, AUTO_PASSTHROUGH) and the control plane's discovery/CA port (15012),
/// so that proxies on other networks (VMs) reach this network's workloads and the control plane
/// through it (docs/vm.md §5).
/// </summary>
public sealed class MeshEastWestGatewayResource : ExecutableResource
{
    internal MeshEastWestGatewayResource(string name, MeshControlPlaneResource controlPlane, string network, string workingDirectory)
        : base(name, "dotnet", workingDirectory)
    {
        ControlPlane = controlPlane;
        Network = network;
        Labels = new(StringComparer.Ordinal)
        {
            ["istio"] = "eastwestgateway",
            ["app"] = "istio-eastwestgateway",
            [NetworkLabel] = network,
        };
    }

    internal const string NetworkLabel = "topology.istio.io/network";
    internal const string CrossNetworkEndpointName = "tls";
    internal const string ControlPlaneEndpointName = "tls-istiod";
    internal const string AdminEndpointName = "admin";

    /// <summary>Istio's port for cross-network traffic (the Gateway server's port).</summary>
    internal const int CrossNetworkPort = 15443;

    /// <summary>istiod's discovery/CA port, as the gateway exposes it.</summary>
    internal const int ControlPlanePort = 15012;

    /// <summary>The control plane this gateway takes its configuration from and exposes.</summary>
    public MeshControlPlaneResource ControlPlane { get; }

    /// <summary>The network this gateway serves: the control plane's (<c>topology.istio.io/network</c>).</summary>
    public string Network { get; }

    /// <summary>Where Istio installs its east-west gateway: the Gateway and VirtualService it needs live there too.</summary>
    public string Namespace => "istio-system";

    /// <summary>
    /// The address the gateway listens on and other networks reach it at (<c>Mesh__BindAddress</c> and
    /// <c>Mesh__Node__Address</c>). Loopback unless <c>WithBindAddress</c> says otherwise.
    /// </summary>
    public string BindAddress { get; internal set; } = "127.0.0.1";

    /// <summary>The listen port of the cross-network server.</summary>
    internal int Port { get; init; } = CrossNetworkPort;

    /// <summary>The listen port that carries the control plane's discovery/CA port.</summary>
    internal int ExposedControlPlanePort { get; init; } = ControlPlanePort;

    /// <summary>Labels the Gateway resources select on (Istio's east-west gateway labels) and the network label.</summary>
    internal Dictionary<string, string> Labels { get; }
}
