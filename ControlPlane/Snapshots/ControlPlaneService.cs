using Mesh.Config.Model.MeshConfiguration;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The control plane as a service of the mesh, as istiod is one in Istio:
/// <c>istiod.istio-system.svc.&lt;suffix&gt;</c>, port 15012 (discovery and the CA share it), whose
/// endpoint is the control plane's own gRPC listener. So a gateway can route to it like to any
/// service — Istio's "expose istiod" (<c>samples/multicluster/expose-istiod.yaml</c>): a Gateway
/// server on 15012 and a VirtualService route to this host let a VM on another network reach
/// discovery and the CA only through the east-west gateway (docs/vm.md §5). The port is TCP: Mesh's
/// discovery port is h2c, so the gateway forwards it as TCP rather than by SNI. Visible only in
/// istiod's namespace (<c>exportTo: "."</c>), where the east-west gateway runs, so no sidecar gets
/// a cluster for it. Only when the control plane knows its listener (not on Kubernetes, where
/// istiod's Service is in the registry).
/// </summary>
internal static class ControlPlaneService
{
    public const string Name = "istiod";

    public const uint DiscoveryPort = 15012;

    public static ServiceModel? Build(MeshSettings settings)
    {
        if (settings.ControlPlaneDiscovery?.Invoke() is not { } discovery)
        {
            return null;
        }

        var endpoint = new Wire.Endpoint
        {
            Address = discovery.DnsSafeHost,
            Port = (uint)discovery.Port,
            Workload = Name,
            Namespace = IstioMeshConfigMap.Namespace,
            Weight = 1,
            Network = settings.Network,
        };
        return new ServiceModel
        {
            Hostname = $"{Name}.{IstioMeshConfigMap.Namespace}.svc.{settings.DomainSuffix}",
            ShortName = Name,
            Namespace = IstioMeshConfigMap.Namespace,
            Ports = [new ServicePortModel(DiscoveryPort, "tcp-istiod", Wire.Protocol.Tcp)],
            Endpoints = [new ServiceEndpoint(DiscoveryPort, endpoint)],
            ExportTo = ["."],
        };
    }
}
