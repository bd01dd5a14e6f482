using Mesh.Config.Model;
using Mesh.Config.Model.Core;
using Mesh.ControlPlane.Registry;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Registry services from Kubernetes <c>Service</c> objects in the configuration (Istio's
/// per-version Services such as <c>reviews-v1</c>): the endpoints are the registered workloads of
/// the Service's namespace whose labels match its selector, and the WorkloadEntries it selects. A Service port reaches the workload
/// port its <c>targetPort</c> names — a number (the workload's service port, its sidecar inbound
/// port or its app port) or a port name — defaulting to the Service port, as Kubernetes does.
/// </summary>
internal static class KubernetesServiceModels
{
    public static IEnumerable<ServiceModel> Build(MeshModel model, RegistrySnapshot registry, MeshSettings settings)
    {
        if (model.Services.Length == 0)
        {
            return [];
        }

        var nodes = registry.Workloads.Select(w => w.Node).OrderBy(n => n.Id, StringComparer.Ordinal).ToList();
        return model.Services.Select(service => Build(service, nodes, model, registry, settings));
    }

    private static ServiceModel Build(ConfigResource<KubernetesServiceConfig> service, IReadOnlyList<Wire.Node> nodes, MeshModel model, RegistrySnapshot registry, MeshSettings settings)
    {
        var spec = service.Spec;
        var ports = spec.Ports
            .Where(p => p.Port is > 0 && (p.Protocol ?? "TCP") == "TCP")
            .Select(p => new ServicePortModel((uint)p.Port!.Value, p.Name ?? "", ProtocolOf(p)))
            .OrderBy(p => p.Number)
            .ToList();
        var endpoints = new List<ServiceEndpoint>();
        if (spec.Selector.Count > 0)
        {
            foreach (var node in nodes.Where(n => ServiceIndex.NamespaceOf(n, settings) == service.Namespace && Selects(spec, n)))
            {
                foreach (var port in spec.Ports.Where(p => p.Port is > 0))
                {
                    if (TargetOf(port, node) is { } target)
                    {
                        endpoints.Add(ServiceIndex.Endpoint(model, node, target, settings) with { ServicePort = (uint)port.Port!.Value });
                    }
                }
            }

            foreach (var entry in WorkloadEntryEndpoints.Selected(model, registry, service.Namespace, spec.Selector))
            {
                foreach (var port in spec.Ports.Where(p => p.Port is > 0))
                {
                    // A named targetPort is the entry's port of that name; a number (or none: the
                    // Service port) is where the entry listens unless its ports map the port's name.
                    var target = string.IsNullOrEmpty(port.TargetPort) ? port.Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : port.TargetPort;
                    if (uint.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
                    {
                        endpoints.Add(WorkloadEntryEndpoints.For(entry, (uint)port.Port!.Value, port.Name ?? "", number, model, settings));
                    }
                    else if (entry.Spec.Ports.ContainsKey(target))
                    {
                        endpoints.Add(WorkloadEntryEndpoints.For(entry, (uint)port.Port!.Value, target, 0, model, settings));
                    }
                }
            }
        }

        // A port without a declared protocol speaks what the workloads behind it declared.
        var resolved = ports.Select(p => p.Protocol != Wire.Protocol.Unspecified ? p
            : p with { Protocol = TargetProtocol(spec, p.Number, nodes.Where(n => ServiceIndex.NamespaceOf(n, settings) == service.Namespace && Selects(spec, n))) }).ToList();
        return new ServiceModel
        {
            Hostname = $"{service.Name}.{service.Namespace}.svc.{settings.DomainSuffix}".ToLowerInvariant(),
            ShortName = service.Name,
            Namespace = service.Namespace,
            Ports = [.. resolved],
            Endpoints = [.. endpoints],
        };
    }

    private static bool Selects(KubernetesServiceConfig spec, Wire.Node node) =>
        spec.Selector.All(l => node.Labels.TryGetValue(l.Key, out var v) && v == l.Value);

    /// <summary>The workload port a Service port sends to on this node, or null when the node has none such.</summary>
    private static Wire.ServicePort? TargetOf(KubernetesServicePort port, Wire.Node node)
    {
        var target = string.IsNullOrEmpty(port.TargetPort) ? port.Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : port.TargetPort;
        var members = node.Services.SelectMany(s => s.Ports).ToList();
        if (uint.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return members.FirstOrDefault(p => p.Port == number) ?? members.FirstOrDefault(p => p.InboundPort == number) ?? members.FirstOrDefault(p => p.TargetPort == number);
        }

        return members.FirstOrDefault(p => string.Equals(p.Name, target, StringComparison.Ordinal));
    }

    private static Wire.Protocol TargetProtocol(KubernetesServiceConfig spec, uint servicePort, IEnumerable<Wire.Node> selected)
    {
        var port = spec.Ports.First(p => p.Port == servicePort);
        return selected.Select(n => TargetOf(port, n)).OfType<Wire.ServicePort>().Select(p => ServiceIndex.ProtocolOf(p.Protocol, p.Name)).FirstOrDefault();
    }

    // Istio's rule: appProtocol, else the port name's prefix (http-, grpc-, tcp-...).
    private static Wire.Protocol ProtocolOf(KubernetesServicePort port) =>
        port.AppProtocol is { Length: > 0 } appProtocol
            ? ServiceIndex.ProtocolOf(appProtocol.StartsWith("kubernetes.io/h2c", StringComparison.Ordinal) ? "HTTP2" : appProtocol)
            : ServiceIndex.ProtocolOf(Wire.Protocol.Unspecified, port.Name ?? "");
}
