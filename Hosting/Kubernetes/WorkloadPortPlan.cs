using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Every port of one meshed pod: the app's endpoints (fixed target ports), the sidecar's inbound
/// listener per service port (what the Service targets), its outbound listener per upstream port
/// (what the app's service discovery entries point at), and the sidecar admin port.
/// </summary>
internal sealed class WorkloadPortPlan
{
    private WorkloadPortPlan(MeshWorkload workload, IReadOnlyDictionary<string, int> appPorts, IReadOnlyList<InboundPort> inbound, IReadOnlyList<OutboundPort> outbound)
    {
        Workload = workload;
        AppPorts = appPorts;
        Inbound = inbound;
        Outbound = outbound;
    }

    public MeshWorkload Workload { get; }

    /// <summary>App endpoint name → container port.</summary>
    public IReadOnlyDictionary<string, int> AppPorts { get; }

    public IReadOnlyList<InboundPort> Inbound { get; }

    public IReadOnlyList<OutboundPort> Outbound { get; }

    public static WorkloadPortPlan Create(MeshWorkload workload, PublishedService service, IReadOnlyDictionary<string, PublishedService> services)
    {
        var appPorts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var next = KubernetesPorts.FirstApp;
        var endpoints = workload.App.Annotations.OfType<EndpointAnnotation>().ToList();
        var fixedPorts = endpoints.Where(e => e.TargetPort is not null).Select(e => e.TargetPort!.Value).ToHashSet();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.TargetPort is { } target)
            {
                appPorts[endpoint.Name] = target;
                continue;
            }

            while (fixedPorts.Contains(next))
            {
                next++;
            }

            appPorts[endpoint.Name] = next++;
        }

        var inbound = MeshWiring.ServicePorts(workload.ControlPlane, workload)
            .Select(port => new InboundPort(service.Find(port.Name)!, appPorts[port.Name]))
            .ToList();

        var outbound = new List<OutboundPort>();
        foreach (var reference in workload.References)
        {
            if (!services.TryGetValue(reference, out var upstream))
            {
                throw new InvalidOperationException($"'{workload.App.Name}' references the mesh service '{reference}', which no meshed workload forms.");
            }

            foreach (var port in upstream.Ports)
            {
                outbound.Add(new OutboundPort(reference, port.Port, KubernetesPorts.FirstOutbound + outbound.Count));
            }
        }

        return new WorkloadPortPlan(workload, appPorts, inbound, outbound);
    }

    /// <summary>The sidecar port behind one of its Aspire endpoints (inbound-*, outbound-*, admin).</summary>
    public int? SidecarPort(string endpointName)
    {
        if (endpointName == MeshSidecarResource.AdminEndpointName)
        {
            return KubernetesPorts.ProxyAdmin;
        }

        return Inbound.FirstOrDefault(p => MeshSidecarResource.InboundEndpointName(p.Service.Port.Name) == endpointName)?.Service.InboundListenPort
            ?? Outbound.FirstOrDefault(p => MeshSidecarResource.OutboundEndpointName(p.Service, p.Port.Name) == endpointName)?.ListenPort;
    }

    /// <summary>A sidecar inbound listener and the app port it forwards to.</summary>
    internal sealed record InboundPort(PublishedServicePort Service, int AppPort);

    /// <summary>A sidecar outbound listener on loopback for one upstream service port.</summary>
    internal sealed record OutboundPort(string Service, MeshServicePort Port, int ListenPort);
}
