using Mesh.Hosting.ApplicationModel;
namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The mesh as it will run on Kubernetes, derived once from the app model: its services (one
/// Kubernetes Service per <c>app</c> label), each workload's port plan, and the publish options.
/// </summary>
internal sealed class MeshPublishModel
{
    private MeshPublishModel(MeshControlPlaneResource mesh, KubernetesPublishOptions options,
        IReadOnlyDictionary<string, PublishedService> services, IReadOnlyDictionary<MeshWorkload, WorkloadPortPlan> plans)
    {
        Mesh = mesh;
        Options = options;
        Services = services;
        Plans = plans;
    }

    public MeshControlPlaneResource Mesh { get; }

    public KubernetesPublishOptions Options { get; }

    /// <summary>Service name → service, in the order the AppHost declared its first member.</summary>
    public IReadOnlyDictionary<string, PublishedService> Services { get; }

    public IReadOnlyDictionary<MeshWorkload, WorkloadPortPlan> Plans { get; }

    /// <summary>The control plane's Service DNS name, as sidecars and gateways dial it.</summary>
    public string ControlPlaneHost => $"{ControlPlaneName}.{Options.ControlPlaneNamespace}.svc";

    public string ControlPlaneName => KubernetesNames.Sanitize(Mesh.Name);

    public string ServiceAccountOf(MeshWorkload workload) =>
        KubernetesNames.Sanitize(workload.ServiceAccount ?? Mesh.ServiceAccountPrefix + workload.AppLabel);

    public static MeshPublishModel Create(MeshControlPlaneResource mesh, KubernetesPublishOptions options)
    {
        if (mesh.Workloads.FirstOrDefault(w => w.Namespace is not null) is { } elsewhere)
        {
            throw new InvalidOperationException(
                $"Workload '{elsewhere.App.Name}' is in namespace '{elsewhere.Namespace}'; Kubernetes publishing puts every workload in {options.Namespace}. Add such workloads in run mode only.");
        }

        var services = new Dictionary<string, PublishedService>(StringComparer.Ordinal);
        foreach (var group in mesh.Workloads.GroupBy(w => w.AppLabel, StringComparer.Ordinal))
        {
            var ports = new List<PublishedServicePort>();
            foreach (var port in group.SelectMany(w => MeshWiring.ServicePorts(mesh, w)))
            {
                var existing = ports.FirstOrDefault(p => string.Equals(p.Port.Name, port.Name, StringComparison.OrdinalIgnoreCase));
                if (existing is null)
                {
                    ports.Add(new PublishedServicePort(port, KubernetesPorts.FirstInbound + ports.Count));
                }
                else if (existing.Port.Port != port.Port || existing.Port.Protocol != port.Protocol)
                {
                    throw new InvalidOperationException(
                        $"The workloads of service '{group.Key}' disagree on port '{port.Name}' ({existing.Port.Port}/{existing.Port.Protocol} vs {port.Port}/{port.Protocol}); one Kubernetes Service cannot serve both.");
                }
            }

            services[KubernetesNames.Sanitize(group.Key)] = new PublishedService(KubernetesNames.Sanitize(group.Key), ports, [.. group]);
        }

        var duplicates = mesh.Workloads.GroupBy(w => (w.AppLabel, w.Version)).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException(
                "Each meshed workload needs a distinct (app, version) pair, the labels its Deployment selects on: " +
                string.Join("; ", duplicates.Select(g => $"{string.Join(", ", g.Select(w => w.App.Name))} are all app={g.Key.AppLabel}, version={g.Key.Version}")));
        }

        var byLabel = services.Values.ToDictionary(s => s.Members[0].AppLabel, StringComparer.Ordinal);
        var plans = mesh.Workloads.ToDictionary(w => w, w => WorkloadPortPlan.Create(w, byLabel[w.AppLabel], byLabel));
        return new MeshPublishModel(mesh, options, services, plans);
    }
}
