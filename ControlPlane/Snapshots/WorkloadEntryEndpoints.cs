using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
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

    /// <summary>The entries of <paramref name="ns"/> whose labels contain every label of <paramref name="selector"/> (an empty selector selects none).</summary>
    public static IEnumerable<ConfigResource<WorkloadEntryConfig>> Selected(MeshModel model, string ns, IReadOnlyDictionary<string, string> selector) =>
        selector.Count == 0 ? []
        : model.WorkloadEntries.Where(e => e.Namespace == ns && !string.IsNullOrEmpty(e.Spec.Address)
            && selector.All(l => e.Spec.Labels.TryGetValue(l.Key, out var value) && value == l.Value));

    /// <summary>
    /// The endpoint of <paramref name="entry"/> for a service port: the entry's <c>ports</c> map the
    /// service port's name (or, for a Kubernetes Service, its named targetPort) to the entry's port;
    /// unmapped, the entry is reached on <paramref name="defaultPort"/>.
    /// </summary>
    public static ServiceEndpoint For(ConfigResource<WorkloadEntryConfig> entry, uint servicePort, string portName, uint defaultPort, MeshSettings settings)
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
