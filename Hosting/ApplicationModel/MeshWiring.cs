using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

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
                        AddEndpoint(sidecar, MeshSidecarResource.AppEndpointName(port.Name), port.Protocol, null);
                    }
                }

                workload.App.Annotations.Add(new EnvironmentCallbackAnnotation(context => MeshReplicaWiring.SetAppListenEnvironment(context, mesh, workload)));
            }

            foreach (var sidecar in workload.Sidecars)
            {
                foreach (var port in ServicePorts(mesh, workload))
                {
                    AddEndpoint(sidecar, MeshSidecarResource.InboundEndpointName(port.Name), port.Protocol, null);
                }

                foreach (var service in workload.References)
                {
                    foreach (var port in ServicePortsOf(mesh, service, NamespaceOf(workload)))
                    {
                        if (workload.BindingPorts.TryGetValue($"{service}/{port.Name}", out var fixedPort) && workload.IsReplicated)
                        {
                            throw new DistributedApplicationException(
                                $"'{workload.App.Name}' has {workload.Sidecars.Count} replicas, each with its own sidecar, so its outbound port for {service}/{port.Name} cannot be the fixed port {fixedPort}: leave it to the AppHost.");
                        }

                        AddEndpoint(sidecar, MeshSidecarResource.OutboundEndpointName(service, port.Name), port.Protocol, workload.BindingPorts.TryGetValue($"{service}/{port.Name}", out var bound) ? bound : null);
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
            if (endpoint.UriScheme == "tcp")
            {
                // A TCP endpoint without a service port is not in the service (Istio's tcp-echo 9002).
                if (workload.ServicePorts.TryGetValue(endpoint.Name, out var tcpPort))
                {
                    ports.Add(new MeshServicePort(endpoint.Name, tcpPort, TcpProtocolOf(endpoint.Name)));
                }

                continue;
            }

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

    /// <summary>The workload's namespace (its own, else the mesh's).</summary>
    public static string NamespaceOf(MeshWorkload workload) => workload.Namespace ?? workload.ControlPlane.Namespace;

    /// <summary>The ports of a mesh service by name, taken from the workloads that form it (in the caller's namespace first).</summary>
    public static IReadOnlyList<MeshServicePort> ServicePortsOf(MeshControlPlaneResource mesh, string service, string? callerNamespace = null)
    {
        var member = mesh.Workloads.Where(w => w.AppLabel == service).OrderBy(w => NamespaceOf(w) == (callerNamespace ?? mesh.Namespace) ? 0 : 1).FirstOrDefault()
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
        var ns = NamespaceOf(workload);
        env["Mesh__ControlPlane__Token"] = MeshBootstrapCredentials.TokenFor(mesh, ns, workload.ServiceAccount ?? mesh.ServiceAccountPrefix + workload.AppLabel, nodeId);
        env["Mesh__Node__Id"] = nodeId;
        env["Mesh__Node__Workload"] = workload.App.Name;
        env["Mesh__Node__Namespace"] = ns;
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
            foreach (var port in ServicePortsOf(mesh, service, ns))
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
            foreach (var port in ServicePortsOf(workload.ControlPlane, service, NamespaceOf(workload)))
            {
                var sidecarPort = MeshReplicaWiring.PortForReplica(workload, context.ExecutionContext, s => s.GetEndpoint(MeshSidecarResource.OutboundEndpointName(service, port.Name)));
                var scheme = port.Protocol is "TCP" or "TLS" ? "tcp" : "http";
                context.EnvironmentVariables[$"services__{service}__{port.Name}__0"] = ReferenceExpression.Create($"{scheme}://{Loopback}:{sidecarPort}");
            }
        }
    }

    private static void AddEndpoint(MeshSidecarResource sidecar, string name, string protocol, int? port)
    {
        if (sidecar.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == name))
        {
            return;
        }

        var tcp = protocol is "TCP" or "TLS";
        sidecar.Annotations.Add(new EndpointAnnotation(
            System.Net.Sockets.ProtocolType.Tcp,
            uriScheme: tcp ? "tcp" : "http",
            transport: tcp ? "tcp" : protocol is "GRPC" or "HTTP2" ? "http2" : "http",
            name: name,
            port: port,
            isProxied: false));
    }

    /// <summary>Istio's port-name rule for a TCP endpoint: http/http2/grpc prefixes are HTTP, tls/https TLS, anything else TCP.</summary>
    private static string TcpProtocolOf(string endpointName)
    {
        var dash = endpointName.IndexOf('-');
        return (dash < 0 ? endpointName : endpointName[..dash]).ToLowerInvariant() switch
        {
            "http" => "HTTP",
            "http2" => "HTTP2",
            "grpc" => "GRPC",
            "tls" or "https" => "TLS",
            _ => "TCP",
        };
    }

    private static string ProtocolOf(EndpointAnnotation endpoint) =>
        endpoint.Name.Contains("grpc", StringComparison.OrdinalIgnoreCase) ? "GRPC"
        : endpoint.Transport == "http2" ? "HTTP2"
        : "HTTP";
}
