using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.ControlPlane.Registry;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// WorkloadEntries (workloads outside the mesh's hosts: VMs) as endpoints of the services that
/// select them: a ServiceEntry's <c>workloadSelector</c>, a Kubernetes Service's <c>selector</c>,
/// and a registry service, whose selector is its name as the <c>app</c> label (the label every
/// sidecar of the mesh carries). Only entries of the service's own namespace are selected, as
/// Istio selects.
/// </summary>
internal static class WorkloadEntryEndpoints
{
    /// <summary>Istio's label that says whether a workload's sidecar takes mTLS (<c>istio</c>) or not (<c>disabled</c>).</summary>
    public const string TlsModeLabel = "security.istio.io/tlsMode";

    /// <summary>
    /// Istio's annotation on a WorkloadEntry the control plane created for a proxy that registered
    /// from a WorkloadGroup (auto-registration): the group's name.
    /// </summary>
    public const string AutoRegistrationGroupAnnotation = "istio.io/autoRegistrationGroup";

    /// <summary>
    /// The entries of <paramref name="ns"/> whose labels contain every label of
    /// <paramref name="selector"/> (an empty selector selects none) and that serve now: an
    /// auto-registered entry only while its proxy is connected and reports its app ready
    /// (<see cref="IsServing"/>).
    /// </summary>
    public static IEnumerable<ConfigResource<WorkloadEntryConfig>> Selected(MeshModel model, RegistrySnapshot registry, string ns, IReadOnlyDictionary<string, string> selector) =>
        selector.Count == 0 ? []
        : model.WorkloadEntries.Where(e => e.Namespace == ns && !string.IsNullOrEmpty(e.Spec.Address)
            && selector.All(l => e.Spec.Labels.TryGetValue(l.Key, out var value) && value == l.Value)
            && IsServing(e, registry));

    /// <summary>
    /// Whether an entry is an endpoint now. An entry written as configuration always is; an
    /// auto-registered one (Istio keeps its health as the entry's <c>Healthy</c> condition) only
    /// while a proxy of its group with its address is connected and its readiness probe passes:
    /// an unhealthy or disconnected VM leaves the load-balancing set at once, and its entry is
    /// removed a grace period after the disconnect.
    /// </summary>
    public static bool IsServing(ConfigResource<WorkloadEntryConfig> entry, RegistrySnapshot registry) =>
        !entry.Metadata.Annotations.TryGetValue(AutoRegistrationGroupAnnotation, out var group)
        || registry.Workloads.Any(w => w.Ready && IsProxyOf(w.Node, group, entry.Namespace, entry.Spec.Address));

    /// <summary>Whether <paramref name="node"/> is the proxy an auto-registered entry of <paramref name="group"/> at <paramref name="address"/> was created for.</summary>
    public static bool IsProxyOf(Wire.Node node, string group, string ns, string? address) =>
        node.WorkloadGroup == group && node.Namespace == ns && node.Address == address;

    /// <summary>
    /// The endpoint of <paramref name="entry"/> for a service port: the entry's <c>ports</c> map the
    /// service port's name (or, for a Kubernetes Service, its named targetPort) to the entry's port;
    /// unmapped, the entry is reached on <paramref name="defaultPort"/>.
    /// </summary>
    public static ServiceEndpoint For(ConfigResource<WorkloadEntryConfig> entry, uint servicePort, string portName, uint defaultPort, MeshModel model, MeshSettings settings)
    {
        var spec = entry.Spec;
        var endpoint = new Wire.Endpoint
        {
            Address = spec.Address ?? "",
            Port = spec.Ports.TryGetValue(portName, out var mapped) ? mapped : defaultPort,
            Workload = entry.Name,
            Namespace = entry.Namespace,
            Weight = spec.Weight is > 0 ? spec.Weight.Value : 1,
            Locality = string.IsNullOrEmpty(spec.Locality) ? Locality.FromLabels(spec.Labels).ToString() : Locality.Parse(spec.Locality).ToString(),
            Network = NetworkTable.For(model, settings).Of(spec.Labels, spec.Address, spec.Network),
        };
        foreach (var label in spec.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            endpoint.Labels.Add(label.Key, label.Value);
        }

        // The entry's sidecar takes mesh mTLS as Istio's tlsMode label says; without the label, an
        // entry that names its service account has a sidecar (Istio: the account "if a sidecar is
        // present") and is a mesh peer whose certificate must carry that identity.
        var tlsMode = spec.Labels.TryGetValue(TlsModeLabel, out var mode) ? mode : null;
        if (tlsMode == "istio" || (tlsMode is null && !string.IsNullOrEmpty(spec.ServiceAccount)))
        {
            endpoint.Mtls = true;
            endpoint.Identity = HostNames.SpiffeId(settings.TrustDomain, entry.Namespace, string.IsNullOrEmpty(spec.ServiceAccount) ? "default" : spec.ServiceAccount);
        }

        return new ServiceEndpoint(servicePort, endpoint);
    }
}
