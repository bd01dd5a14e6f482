using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>
/// Derives every sidecar's listeners and environment from the mesh model, once all resources
/// are declared (just before start), so the AppHost never repeats a port or an address.
/// </summary>
internal static class MeshWiring
{
    private const string Loopback = "127.0.0.1";

    /// <summary>How often a sidecar checks its app: within a second of a replica's exit its endpoint is gone.</summary>
    internal const string AppHealthIntervalMs = "250";

    public static MeshWorkload? FindWorkload(IResource app) =>
        app.Annotations.OfType<MeshWorkloadAnnotation>().FirstOrDefault()?.Workload;

    public static void Register(MeshWorkload workload) => workload.App.Annotations.Add(new MeshWorkloadAnnotation(workload));

    /// <summary>Adds the sidecars' inbound and outbound listeners before endpoints are allocated.</summary>
    public static void Subscribe(IDistributedApplicationBuilder builder, MeshControlPlaneResource mesh)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            Prepare(mesh);
            return Task.CompletedTask;
        });
    }

    /// <summary>Adds every sidecar's endpoints and the replicated apps' listen environment (at BeforeStartEvent).</summary>
    public static void Prepare(MeshControlPlaneResource mesh)
    {
        foreach (var workload in mesh.Workloads)
        {
            var replicas = workload.App.GetReplicaCount();
            if (replicas != workload.Sidecars.Count)
            {
                // Sidecars are resources, and Aspire names resources' DCP instances before any
                // BeforeStartEvent handler of ours runs: they cannot be added this late.
                throw new DistributedApplicationException(
                    $"'{workload.App.Name}' has {replicas} replicas but WithSidecar gave it {workload.Sidecars.Count} sidecar(s): " +
                    "call WithReplicas before WithSidecar, so that each replica gets its own sidecar.");
            }

            if (!workload.IsReplicated)
            {
                // The sidecar forwards to the app's own port, so that port must be known before
                // either starts: a DCP-proxied endpoint's target port is resolvable only by the
                // app itself. Meshed apps therefore listen directly on their (allocated) ports.
                foreach (var endpoint in workload.App.Annotations.OfType<EndpointAnnotation>())
                {
                    endpoint.IsProxied = false;
                }
            }
            else
            {
                // Aspire refuses replicas with proxy-less endpoints: the app keeps its proxied
                // endpoints and each replica also listens on a port its own sidecar owns. Added
                // last, so that it extends whatever the app's other callbacks set.
                foreach (var sidecar in workload.Sidecars)
                {
                    foreach (var port in ServicePorts(mesh, workload))
                    {
                        AddEndpoint(sidecar, MeshSidecarResource.AppEndpointName(port.Name), port.Protocol);
                    }
                }

                workload.App.Annotations.Add(new EnvironmentCallbackAnnotation(context => MeshReplicaWiring.SetAppListenEnvironment(context, mesh, workload)));
            }

            foreach (var sidecar in workload.Sidecars)
            {
                foreach (var port in ServicePorts(mesh, workload))
                {
                    AddEndpoint(sidecar, MeshSidecarResource.InboundEndpointName(port.Name), port.Protocol);
                }

                foreach (var service in workload.References)
                {
                    foreach (var port in ServicePortsOf(mesh, service))
                    {
                        AddEndpoint(sidecar, MeshSidecarResource.OutboundEndpointName(service, port.Name), port.Protocol);
                    }
                }
            }
        }
    }

    /// <summary>The ports of the service a workload belongs to, one per app endpoint.</summary>
    public static IReadOnlyList<MeshServicePort> ServicePorts(MeshControlPlaneResource mesh, MeshWorkload workload)
    {
        var ports = new List<MeshServicePort>();
        foreach (var endpoint in workload.App.Annotations.OfType<EndpointAnnotation>())
        {
            if (endpoint.UriScheme is not ("http" or "https"))
            {
                continue;
            }

            var port = workload.ServicePorts.TryGetValue(endpoint.Name, out var p) ? p
                : mesh.DefaultServicePorts.TryGetValue(endpoint.Name, out var d) ? d
                : 80;
            ports.Add(new MeshServicePort(endpoint.Name, port, ProtocolOf(endpoint)));
        }

        return ports;
    }

    /// <summary>The ports of a mesh service by name, taken from the workloads that form it.</summary>
    public static IReadOnlyList<MeshServicePort> ServicePortsOf(MeshControlPlaneResource mesh, string service)
    {
        var member = mesh.Workloads.FirstOrDefault(w => w.AppLabel == service)
            ?? throw new InvalidOperationException(
                $"No meshed workload forms the service '{service}' (no WithSidecar(app: \"{service}\")). Known services: " +
                string.Join(", ", mesh.Workloads.Select(w => w.AppLabel).Distinct()));
        return ServicePorts(mesh, member);
    }

    public static void SetSidecarEnvironment(EnvironmentCallbackContext context, MeshControlPlaneResource mesh, MeshWorkload workload, MeshSidecarResource sidecar)
    {
        var env = context.EnvironmentVariables;
        var nodeId = sidecar.NodeId;
        env["Mesh__Mode"] = "Sidecar";
        env["Mesh__ControlPlane__Address"] = ReferenceExpression.Create($"http://{Loopback}:{mesh.GrpcEndpoint.Property(EndpointProperty.Port)}");
        env["Mesh__ControlPlane__Token"] = MeshBootstrapCredentials.TokenFor(mesh, mesh.Namespace, workload.ServiceAccount ?? mesh.ServiceAccountPrefix + workload.AppLabel, nodeId);
        env["Mesh__Node__Id"] = nodeId;
        env["Mesh__Node__Workload"] = workload.App.Name;
        env["Mesh__Node__Namespace"] = mesh.Namespace;
        env["Mesh__Node__ServiceAccount"] = workload.ServiceAccount ?? mesh.ServiceAccountPrefix + workload.AppLabel;
        env["Mesh__Node__Address"] = Loopback;
        env["Mesh__Node__Labels__app"] = workload.AppLabel;
        env["Mesh__Node__Labels__version"] = workload.Version;
        foreach (var (key, value) in workload.ExtraLabels)
        {
            env[$"Mesh__Node__Labels__{key}"] = value;
        }

        env["Mesh__Service"] = workload.AppLabel;
        env["Mesh__AppAddress"] = Loopback;
        env["Mesh__AdminPort"] = sidecar.GetEndpoint(MeshSidecarResource.AdminEndpointName).Property(EndpointProperty.Port);

        // The app is a process of its own here (no kubelet): the sidecar checks it and takes the
        // workload out of its services' endpoints while it is down (a replica crashing or stopped).
        env["Mesh__AppHealthIntervalMs"] = AppHealthIntervalMs;

        var index = 0;
        foreach (var port in ServicePorts(mesh, workload))
        {
            var prefix = $"Mesh__Inbound__{index++}__";
            env[prefix + "Name"] = port.Name;
            env[prefix + "Port"] = port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env[prefix + "Protocol"] = port.Protocol;
            env[prefix + "ListenPort"] = sidecar.GetEndpoint(MeshSidecarResource.InboundEndpointName(port.Name)).Property(EndpointProperty.Port);
            env[prefix + "TargetPort"] = workload.IsReplicated
                ? sidecar.GetEndpoint(MeshSidecarResource.AppEndpointName(port.Name)).Property(EndpointProperty.Port)
                : workload.App.GetEndpoint(port.Name).Property(EndpointProperty.Port);
        }

        index = 0;
        foreach (var service in workload.References)
        {
            foreach (var port in ServicePortsOf(mesh, service))
            {
                var prefix = $"Mesh__Outbound__{index++}__";
                env[prefix + "Host"] = service;
                env[prefix + "Port"] = port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                env[prefix + "Protocol"] = port.Protocol;
                env[prefix + "ListenPort"] = sidecar.GetEndpoint(MeshSidecarResource.OutboundEndpointName(service, port.Name)).Property(EndpointProperty.Port);
            }
        }
    }

    /// <summary>Points the app's service discovery entries for its upstreams at its own sidecar (each replica at its own).</summary>
    public static void SetAppUpstreamEnvironment(EnvironmentCallbackContext context, MeshWorkload workload)
    {
        foreach (var service in workload.References)
        {
            foreach (var port in ServicePortsOf(workload.ControlPlane, service))
            {
                var sidecarPort = MeshReplicaWiring.PortForReplica(workload, context.ExecutionContext, s => s.GetEndpoint(MeshSidecarResource.OutboundEndpointName(service, port.Name)));
                context.EnvironmentVariables[$"services__{service}__{port.Name}__0"] = ReferenceExpression.Create($"http://{Loopback}:{sidecarPort}");
            }
        }
    }

    private static void AddEndpoint(MeshSidecarResource sidecar, string name, string protocol)
    {
        if (sidecar.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == name))
        {
            return;
        }

        sidecar.Annotations.Add(new EndpointAnnotation(
            System.Net.Sockets.ProtocolType.Tcp,
            uriScheme: "http",
            transport: protocol is "GRPC" or "HTTP2" ? "http2" : "http",
            name: name,
            isProxied: false));
    }

    private static string ProtocolOf(EndpointAnnotation endpoint) =>
        endpoint.Name.Contains("grpc", StringComparison.OrdinalIgnoreCase) ? "GRPC"
        : endpoint.Transport == "http2" ? "HTTP2"
        : "HTTP";
}
