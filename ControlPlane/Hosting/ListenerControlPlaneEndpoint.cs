using System.Net;
using Mesh.ControlPlane.Gateways;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// Where the control plane's own gateway processes reach discovery: the bound gRPC port, on
/// loopback when the control plane listens on every address (they run on this machine); and the
/// TLS listener, which the control plane as a mesh service (istiod) and VMs' files name.
/// </summary>
internal sealed class ListenerControlPlaneEndpoint(ControlPlaneListeners listeners) : IControlPlaneEndpoint
{
    public Uri Discovery => ListensEverywhere ? new Uri($"http://127.0.0.1:{listeners.GrpcPort}") : listeners.GrpcUri;

    public Uri? SecureDiscovery => listeners.SecureGrpcPort is not { } port ? null
        : ListensEverywhere ? new Uri($"https://127.0.0.1:{port}")
        : listeners.SecureGrpcUri;

    private bool ListensEverywhere =>
        listeners.Address is { } address && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));
}
