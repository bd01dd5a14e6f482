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

    public static MeshWorkload? FindWorkload(IResource app) =>
        app.Annotations.OfType<MeshWorkloadAnnotation>().FirstOrDefault()?.Workload;

    public static void Register(MeshWorkload workload) => workload.App.Annotations.Add(new MeshWorkloadAnnotation(workload));

    /// <summary>Adds the sidecars' inbound and outbound listeners before endpoints are allocated.</summary>
    public static void Subscribe(IDistributedApplicationBuilder builder, MeshControlPlaneResource mesh)
    {
        builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            foreach (var workload in mesh.Workloads)
            {
                // The sidecar forwards to the app's own port, so that port must be known before
                // either starts: a DCP-proxied endpoint's target port is resolvable only by the
                // app itself. Meshed apps therefore listen directly on their (allocated) ports.
                foreach (var endpoint in workload.App.Annotations.OfType<EndpointAnnotation>())
                {
                    endpoint.IsProxied = false;
                }

                foreach (var port in ServicePorts(mesh, workload))
                {
                    AddEndpoint(workload.Sidecar, MeshSidecarResource.InboundEndpointName(port.Name), port.Protocol, null);
                }

                foreach (var service in workload.References)
                {
                    foreach (var port in ServicePortsOf(mesh, service, NamespaceOf(workload)))
                    {
                        AddEndpoint(workload.Sidecar, MeshSidecarResource.OutboundEndpointName(service, port.Name), port.Protocol,
                            workload.BindingPorts.TryGetValue($"{service}/{port.Name}", out var fixedPort) ? fixedPort : null);
                    }
                }
            }

            return Task.CompletedTask;
        });
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

    public static void SetSidecarEnvironment(EnvironmentCallbackContext context, MeshControlPlaneResource mesh, MeshWorkload workload)
    {
        var env = context.EnvironmentVariables;
        var sidecar = workload.Sidecar;
        env["Mesh__Mode"] = "Sidecar";
        env["Mesh__ControlPlane__Address"] = ReferenceExpression.Create($"http://{Loopback}:{mesh.GrpcEndpoint.Property(EndpointProperty.Port)}");
        var ns = NamespaceOf(workload);
        env["Mesh__ControlPlane__Token"] = MeshBootstrapCredentials.TokenFor(mesh, ns, workload.ServiceAccount ?? mesh.ServiceAccountPrefix + workload.AppLabel, workload.App.Name);
        env["Mesh__Node__Id"] = workload.App.Name;
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

        var index = 0;
        foreach (var port in ServicePorts(mesh, workload))
        {
            var prefix = $"Mesh__Inbound__{index++}__";
            env[prefix + "Name"] = port.Name;
            env[prefix + "Port"] = port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env[prefix + "Protocol"] = port.Protocol;
            env[prefix + "ListenPort"] = sidecar.GetEndpoint(MeshSidecarResource.InboundEndpointName(port.Name)).Property(EndpointProperty.Port);
            env[prefix + "TargetPort"] = workload.App.GetEndpoint(port.Name).Property(EndpointProperty.Port);
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

    /// <summary>Points the app's service discovery entries for its upstreams at its own sidecar.</summary>
    public static void SetAppUpstreamEnvironment(EnvironmentCallbackContext context, MeshWorkload workload)
    {
        foreach (var service in workload.References)
        {
            foreach (var port in ServicePortsOf(workload.ControlPlane, service, NamespaceOf(workload)))
            {
                var endpoint = workload.Sidecar.GetEndpoint(MeshSidecarResource.OutboundEndpointName(service, port.Name));
                var scheme = port.Protocol is "TCP" or "TLS" ? "tcp" : "http";
                context.EnvironmentVariables[$"services__{service}__{port.Name}__0"] =
                    ReferenceExpression.Create($"{scheme}://{Loopback}:{endpoint.Property(EndpointProperty.Port)}");
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
