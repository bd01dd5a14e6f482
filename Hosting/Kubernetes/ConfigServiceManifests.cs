using k8s.Models;
using Mesh.Config.Model;
using Mesh.Config.Model.Core;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// A Kubernetes <c>Service</c> from the mesh config (Istio's per-version Services such as
/// <c>reviews-v1</c>, <c>bookinfo-versions.yaml</c>) as a Service of the cluster. A port that
/// targets a mesh service port of the workloads it selects (no <c>targetPort</c>, or that port's
/// number) targets the sidecar's inbound listener instead, as the mesh's own Services do, so a
/// call through the Service enters the pod through the sidecar. Name, labels, selector, ports and
/// type are carried over; the fields that steer kube-proxy only are not.
/// </summary>
internal static class ConfigServiceManifests
{
    public static bool Applies(ConfigObject configObject) => configObject.Kind == ConfigKinds.Service.Id;

    public static V1Service Service(ConfigObject configObject, MeshPublishModel model)
    {
        var spec = (KubernetesServiceConfig)configObject.Spec;
        var selected = model.Mesh.Workloads
            .Where(w => spec.Selector.Count > 0 && spec.Selector.All(l => SidecarContainerFactory.Labels(w).GetValueOrDefault(l.Key) == l.Value))
            .ToList();
        var inbound = model.Services.Values
            .Where(s => s.Members.Any(selected.Contains))
            .SelectMany(s => s.Ports)
            .GroupBy(p => p.Port.Port)
            .ToDictionary(g => g.Key, g => g.First().InboundListenPort);
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta
            {
                Name = configObject.Metadata.Name,
                NamespaceProperty = configObject.Metadata.Namespace,
                Labels = WorkloadManifests.Merge(new Dictionary<string, string>(configObject.Metadata.Labels, StringComparer.Ordinal), KubernetesLabels.PartOfMesh("service")),
            },
            Spec = new V1ServiceSpec
            {
                Type = spec.Type,
                Selector = spec.Selector.Count > 0 ? new Dictionary<string, string>(spec.Selector, StringComparer.Ordinal) : null,
                Ports = [.. spec.Ports.Select(p => new V1ServicePort
                {
                    Name = p.Name,
                    Port = p.Port ?? 0,
                    Protocol = p.Protocol ?? "TCP",
                    AppProtocol = p.AppProtocol,
                    TargetPort = TargetOf(p, inbound),
                })],
            },
        };
    }

    private static IntOrString? TargetOf(KubernetesServicePort port, IReadOnlyDictionary<int, int> inbound)
    {
        var number = port.Port ?? 0;
        var targetsServicePort = string.IsNullOrEmpty(port.TargetPort) || port.TargetPort == number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return targetsServicePort && inbound.TryGetValue(number, out var sidecar) ? (IntOrString)sidecar
            : string.IsNullOrEmpty(port.TargetPort) ? null
            : int.TryParse(port.TargetPort, System.Globalization.CultureInfo.InvariantCulture, out var target) ? (IntOrString)target
            : (IntOrString)port.TargetPort;
    }
}
