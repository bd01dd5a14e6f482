using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s.Models;

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
                        InitContainers = [SidecarContainerFactory.Create(workload, model)],
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

    // The app serves the ServiceDefaults health endpoints when the AppHost gave it an HTTP health
    // check; the kubelet probes them on the app's own port (pod IP), not through the sidecar, so
    // STRICT mTLS on the sidecar does not fail the probes.
    private static void AddAppProbes(V1Container app, MeshWorkload workload, WorkloadPortPlan plan)
    {
        var http = workload.App.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme == "http" && e.Transport != "http2");
        if (http is null)
        {
            return;
        }

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
}
