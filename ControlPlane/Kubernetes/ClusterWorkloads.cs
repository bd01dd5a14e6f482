using System.Collections.Immutable;
using System.Globalization;
using k8s.Models;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The registry's workloads from the API server, as Istio's Kubernetes registry forms them: every
/// pod an EndpointSlice (<c>discovery.k8s.io/v1</c>) names as an endpoint of a Service
/// (<c>kubernetes.io/service-name</c>) is a workload whose labels and service account are the
/// pod's, whose address is the endpoint's, and which is ready while every endpoint of it is ready
/// and not terminating (so a not-ready or terminating pod leaves the load-balancing set but keeps
/// its services). A pod that runs a mesh proxy declares it in its spec (the proxy container's
/// <c>Mesh__Mode</c>, <c>Mesh__Node__Workload</c>, <c>Mesh__AdminPort</c> and
/// <c>Mesh__Inbound__N__*</c> settings, docs/proxy.md): that makes it a meshed, mTLS-capable
/// endpoint and maps each inbound listener port the Service targets back to the Service port it
/// serves. A pod without a proxy is a plaintext endpoint reached on the EndpointSlice's port.
/// Locality: the pod's <c>istio-locality</c> or topology labels, else the zone the EndpointSlice
/// controller copied from the pod's Node (<c>endpoints[].zone</c>; the region is not there).
/// </summary>
internal static class ClusterWorkloads
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    public static ImmutableArray<WorkloadInstance> Build(IReadOnlyDictionary<string, V1Pod> pods, IReadOnlyDictionary<string, V1EndpointSlice> slices)
    {
        var members = new SortedDictionary<string, Member>(StringComparer.Ordinal);
        foreach (var (_, slice) in slices.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (slice.AddressType is not ("IPv4" or "IPv6")
                || Label(slice.Metadata.Labels, ServiceNameLabel) is not { Length: > 0 } service)
            {
                continue;
            }

            var ns = slice.Metadata.NamespaceProperty;
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                // An endpoint whose pod is not known yet joins with the pod's own watch event.
                if (endpoint.TargetRef is not { Kind: "Pod", Name: { } podName } target
                    || endpoint.Addresses is not { Count: > 0 } addresses
                    || !pods.TryGetValue($"{target.NamespaceProperty ?? ns}/{podName}", out var pod))
                {
                    continue;
                }

                var key = $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
                if (!members.TryGetValue(key, out var member))
                {
                    members[key] = member = new Member(pod, ProxyDeclaration.Of(pod), addresses[0], endpoint.Zone);
                }

                member.Ready &= (endpoint.Conditions?.Ready ?? true) && !(endpoint.Conditions?.Terminating ?? false);
                member.Add(service, slice.Ports ?? []);
            }
        }

        return [.. members.Values.Select(m => m.ToInstance())];
    }

    private static string? Label(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>The workload a pod belongs to: its Deployment's name (the ReplicaSet's without the pod-template hash), else its owner's, else its own.</summary>
    private static string WorkloadOf(V1Pod pod)
    {
        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata.OwnerReferences?.FirstOrDefault();
        if (owner is null)
        {
            return pod.Metadata.Name;
        }

        var hash = Label(pod.Metadata.Labels, "pod-template-hash");
        return owner.Kind == "ReplicaSet" && hash is { Length: > 0 } && owner.Name.EndsWith("-" + hash, StringComparison.Ordinal)
            ? owner.Name[..^(hash.Length + 1)]
            : owner.Name;
    }

    private sealed class Member(V1Pod pod, ProxyDeclaration? proxy, string address, string? zone)
    {
        private readonly SortedDictionary<string, Wire.ServiceMembership> _services = new(StringComparer.Ordinal);

        public bool Ready { get; set; } = true;

        public void Add(string service, IEnumerable<Discoveryv1EndpointPort> ports)
        {
            if (!_services.TryGetValue(service, out var membership))
            {
                _services[service] = membership = new Wire.ServiceMembership { Name = service };
            }

            foreach (var port in ports.Where(p => p.Port is > 0 && (p.Protocol ?? "TCP") == "TCP"))
            {
                var servicePort = proxy?.Inbound(port) ?? Plain(port);
                if (!membership.Ports.Any(p => p.Port == servicePort.Port))
                {
                    membership.Ports.Add(servicePort);
                }
            }
        }

        public WorkloadInstance ToInstance()
        {
            var node = new Wire.Node
            {
                Id = pod.Metadata.Name,
                Workload = proxy?.Workload ?? WorkloadOf(pod),
                Namespace = pod.Metadata.NamespaceProperty,
                ServiceAccount = pod.Spec?.ServiceAccountName ?? "default",
                Mode = proxy?.Mode ?? Wire.ProxyMode.Unspecified,
                Address = address,
                AdminPort = proxy?.AdminPort ?? 0,
            };
            foreach (var (key, value) in pod.Metadata.Labels ?? new Dictionary<string, string>())
            {
                node.Labels[key] = value;
            }

            if (zone is { Length: > 0 } && !node.Labels.ContainsKey(ZoneLabel) && !node.Labels.ContainsKey(Locality.IstioLocalityLabel))
            {
                node.Labels[ZoneLabel] = zone;
            }

            node.Services.AddRange(_services.Values);
            var since = pod.Status?.StartTime ?? pod.Metadata.CreationTimestamp ?? DateTime.UnixEpoch;
            return new WorkloadInstance(node, new DateTimeOffset(DateTime.SpecifyKind(since, DateTimeKind.Utc))) { Ready = Ready };
        }

        // No proxy in the pod (or a port it does not listen on): the Service reaches the app directly.
        private static Wire.ServicePort Plain(Discoveryv1EndpointPort port) => new()
        {
            Name = port.Name ?? "",
            Port = (uint)port.Port!.Value,
            TargetPort = (uint)port.Port!.Value,
            Protocol = port.AppProtocol is { Length: > 0 } appProtocol
                ? ServiceIndex.ProtocolOf(appProtocol.StartsWith("kubernetes.io/h2c", StringComparison.Ordinal) ? "HTTP2" : appProtocol)
                : Wire.Protocol.Unspecified,
        };
    }

    /// <summary>The mesh proxy a pod's spec runs (its container's literal <c>Mesh__*</c> settings), or null for a pod without one.</summary>
    private sealed record ProxyDeclaration(Wire.ProxyMode Mode, string? Workload, uint AdminPort, IReadOnlyList<Wire.ServicePort> InboundPorts)
    {
        public static ProxyDeclaration? Of(V1Pod pod)
        {
            foreach (var container in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
            {
                var env = (container.Env ?? []).Where(e => e.Value is not null).GroupBy(e => e.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
                var mode = env.GetValueOrDefault("Mesh__Mode") switch
                {
                    "Sidecar" => Wire.ProxyMode.Sidecar,
                    "Gateway" => Wire.ProxyMode.Gateway,
                    _ => Wire.ProxyMode.Unspecified,
                };
                if (mode == Wire.ProxyMode.Unspecified)
                {
                    continue;
                }

                var inbound = new List<Wire.ServicePort>();
                for (var i = 0; env.ContainsKey($"Mesh__Inbound__{i}__Port"); i++)
                {
                    var prefix = $"Mesh__Inbound__{i}__";
                    inbound.Add(new Wire.ServicePort
                    {
                        Name = env.GetValueOrDefault(prefix + "Name") ?? "",
                        Port = Number(env.GetValueOrDefault(prefix + "Port")),
                        Protocol = ServiceIndex.ProtocolOf(env.GetValueOrDefault(prefix + "Protocol")),
                        InboundPort = Number(env.GetValueOrDefault(prefix + "ListenPort")),
                        TargetPort = Number(env.GetValueOrDefault(prefix + "TargetPort")),
                    });
                }

                return new ProxyDeclaration(mode, env.GetValueOrDefault("Mesh__Node__Workload"), Number(env.GetValueOrDefault("Mesh__AdminPort")), inbound);
            }

            return null;
        }

        /// <summary>The Service port an EndpointSlice port reaches through this proxy's inbound listener on it; null when the proxy has none there.</summary>
        public Wire.ServicePort? Inbound(Discoveryv1EndpointPort port) =>
            InboundPorts.FirstOrDefault(p => p.InboundPort == (uint)port.Port!.Value) is { } declared ? declared.Clone() : null;

        private static uint Number(string? text) =>
            uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
}
