using k8s.Models;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The Kubernetes Service of a mesh service (selecting every version by <c>app</c>) whose ports
/// target the sidecar's inbound listeners, so traffic enters pods through the sidecar, and the
/// NetworkPolicy that admits other pods to those ports only.
/// </summary>
internal static class ServiceManifests
{
    public static V1Service Service(PublishedService service, KubernetesPublishOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = service.Name,
            NamespaceProperty = options.Namespace,
            Labels = WorkloadManifests.Merge(new Dictionary<string, string> { ["app"] = service.Members[0].AppLabel, ["service"] = service.Name }, KubernetesLabels.PartOfMesh("service")),
        },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = service.Members[0].AppLabel },
            Ports = [.. service.Ports.Select(p => new V1ServicePort
            {
                Name = p.KubernetesName,
                Port = p.Port.Port,
                TargetPort = p.InboundListenPort,
                Protocol = "TCP",
                AppProtocol = p.AppProtocol,
            })],
        },
    };

    /// <summary>
    /// Other pods may reach a meshed pod only at its sidecar inbound ports. Defence in depth: the
    /// app already listens on loopback only and the kubelet probes it through the sidecar's admin
    /// port (which NetworkPolicy implementations admit from the node), so the app's ports are no
    /// way around the sidecar's mTLS and authorization even where this policy is not enforced.
    /// </summary>
    public static V1NetworkPolicy NetworkPolicy(PublishedService service, KubernetesPublishOptions options) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = new V1ObjectMeta { Name = $"{service.Name}-sidecar-only", NamespaceProperty = options.Namespace, Labels = KubernetesLabels.PartOfMesh("service") },
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = service.Members[0].AppLabel } },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    Ports = [.. service.Ports.Select(p => new V1NetworkPolicyPort { Port = p.InboundListenPort, Protocol = "TCP" })],
                },
            ],
        },
    };
}
