using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s.Models;
using Mesh.Hosting.ApplicationModel;

// ProbeAnnotation (WithHttpProbe) is experimental in Aspire 13.x.
#pragma warning disable ASPIREPROBES001

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// A meshed workload's Deployment: pods labelled <c>app</c>/<c>version</c>, running under the
/// workload's own ServiceAccount (so its SPIFFE identity is its own), the app container with its
/// AppHost environment and fixed ports, and the injected sidecar.
/// </summary>
internal static class WorkloadManifests
{
    public static async Task<V1Deployment> DeploymentAsync(
        MeshWorkload workload, MeshPublishModel model, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var options = model.Options;
        var plan = model.Plans[workload];
        var name = KubernetesNames.Sanitize(workload.App.Name);
        var labels = SidecarContainerFactory.Labels(workload);
        var selector = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = workload.AppLabel, ["version"] = workload.Version };

        var app = new V1Container
        {
            Name = KubernetesNames.Sanitize(workload.AppLabel),
            Image = options.Image(KubernetesNames.Repository(ProjectPath(workload.App))),
            ImagePullPolicy = options.ImagePullPolicy,
            Env = await AppEnvironmentBuilder.BuildAsync(workload, model, executionContext, cancellationToken),
            Ports = [.. plan.AppPorts.Select(p => new V1ContainerPort { Name = KubernetesNames.PortName(p.Key), ContainerPort = p.Value, Protocol = "TCP" })],
            Resources = options.AppResources.ToRequirements(),
            SecurityContext = SidecarContainerFactory.RestrictedSecurityContext(),
        };
        AddAppProbes(app, workload, plan);
        var appProbers = AppProbeRewriter.Rewrite(app, workload.App.Name);

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = options.Namespace, Labels = Merge(labels, KubernetesLabels.PartOfMesh("workload")) },
            Spec = new V1DeploymentSpec
            {
                Replicas = options.ReplicasOf(workload.App),
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Merge(labels, KubernetesLabels.PartOfMesh("workload")) },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = model.ServiceAccountOf(workload),
                        // With capture, the rules are in place before the sidecar (and so the app) starts, as istio-init's.
                        InitContainers = options.TransparentCapture
                            ? [CaptureInitContainerFactory.Create(workload, model), SidecarContainerFactory.Create(workload, model, appProbers)]
                            : [SidecarContainerFactory.Create(workload, model, appProbers)],
                        Containers = [app],
                        Volumes = [SidecarContainerFactory.TokenProjection()],
                    },
                },
            },
        };
    }

    public static V1ServiceAccount ServiceAccount(string name, string @namespace, string component) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace, Labels = KubernetesLabels.PartOfMesh(component) },
    };

    public static string ProjectPath(IResource resource) =>
        resource.Annotations.OfType<IProjectMetadata>().FirstOrDefault()?.ProjectPath
        ?? throw new InvalidOperationException($"'{resource.Name}' is not a .NET project; Mesh publishes images only for projects");

    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string> second)
    {
        var merged = new Dictionary<string, string>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            merged.TryAdd(key, value);
        }

        return merged;
    }

    // The app's probes before rewriting: the ServiceDefaults health endpoints when the AppHost
    // gave it an HTTP health check, else a TCP connect to its HTTP port (or to the endpoint of its
    // WithTcpHealthCheck when it has no HTTP endpoint); a probe the AppHost
    // declares (WithHttpProbe) replaces the default of its kind. AppProbeRewriter then routes them
    // through the sidecar.
    private static void AddAppProbes(V1Container app, MeshWorkload workload, WorkloadPortPlan plan)
    {
        var http = workload.App.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme == "http" && e.Transport != "http2");
        if (http is not null)
        {
            var port = plan.AppPorts[http.Name];
            if (workload.App.Annotations.OfType<HealthCheckAnnotation>().Any())
            {
                app.ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = port }, PeriodSeconds = 5, FailureThreshold = 3 };
                app.LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/alive", Port = port }, PeriodSeconds = 10, FailureThreshold = 3 };
            }
            else
            {
                app.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = port }, PeriodSeconds = 5 };
            }
        }
        else if (workload.App.Annotations.OfType<TcpHealthCheckAnnotation>().FirstOrDefault() is { } tcpCheck)
        {
            // An app without HTTP (WithTcpHealthCheck): ready while its TCP port accepts connections.
            app.ReadinessProbe = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = plan.AppPorts[tcpCheck.EndpointName] }, PeriodSeconds = 5 };
        }

        foreach (var annotation in workload.App.Annotations.OfType<ProbeAnnotation>())
        {
            var probe = DeclaredProbe(annotation, workload, plan);
            if (annotation.Type == ProbeType.Liveness)
            {
                app.LivenessProbe = probe;
            }
            else if (annotation.Type == ProbeType.Readiness)
            {
                app.ReadinessProbe = probe;
            }
            else
            {
                app.StartupProbe = probe;
            }
        }
    }

    /// <summary>An AppHost probe (<c>WithHttpProbe</c>) as a Kubernetes probe on the app's own endpoint.</summary>
    private static V1Probe DeclaredProbe(ProbeAnnotation annotation, MeshWorkload workload, WorkloadPortPlan plan)
    {
        var name = $"'{workload.App.Name}': its {annotation.Type} probe";
        if (annotation is not EndpointProbeAnnotation http)
        {
            throw new InvalidOperationException($"{name} ({annotation.GetType().Name}) cannot be published: only HTTP probes on the app's own endpoints are supported.");
        }

        var endpointName = http.EndpointReference.EndpointName;
        var endpoint = workload.App.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == endpointName);
        if (http.EndpointReference.Resource != workload.App || endpoint is null)
        {
            throw new InvalidOperationException($"{name} targets endpoint '{endpointName}' of '{http.EndpointReference.Resource.Name}', not one of the app's own endpoints; the sidecar probes only its own app.");
        }

        if (endpoint.Transport == "http2" || endpoint.UriScheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"{name} targets endpoint '{endpointName}' ({endpoint.UriScheme}, {endpoint.Transport}); HTTP probes speak HTTP/1.1 (the kubelet's and the sidecar's), so probe an HTTP/1.1 endpoint.");
        }

        return new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = http.Path, Port = plan.AppPorts[endpointName], Scheme = endpoint.UriScheme == "https" ? "HTTPS" : null },
            InitialDelaySeconds = http.InitialDelaySeconds,
            PeriodSeconds = http.PeriodSeconds,
            TimeoutSeconds = http.TimeoutSeconds,
            FailureThreshold = http.FailureThreshold,
            SuccessThreshold = http.SuccessThreshold,
        };
    }
}
