using System.Globalization;
using k8s.Models;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// An ingress gateway: its ServiceAccount, a Deployment of the gateway proxy (the same
/// <c>Mesh__*</c> settings as locally, listeners at 8080/8443 serving Gateway ports 80/443 and a TCP
/// listener at 31400), and a LoadBalancer Service mapping 80→8080, 443→8443 and 31400 as Istio's
/// ingress gateway does.
/// </summary>
internal static class GatewayManifests
{
    public static string ServiceAccountName(MeshGatewayResource gateway) => KubernetesNames.Sanitize($"{gateway.Name}-service-account");

    public static V1Deployment Deployment(MeshGatewayResource gateway, MeshPublishModel model) =>
        GatewayProxyManifests.Deployment(Shape(gateway, model.Options), model);

    public static V1Service Service(MeshGatewayResource gateway, KubernetesPublishOptions options) =>
        GatewayProxyManifests.Service(Shape(gateway, options));

    // Istio's ingress gateway Service ports: http2 80, https 443 and (its demo profile, which
    // Istio's TCP tasks read as the port named "tcp") tcp 31400.
    private static GatewayProxyShape Shape(MeshGatewayResource gateway, KubernetesPublishOptions options)
    {
        List<GatewayProxyPort> ports =
        [
            new("http2", "http", 80, KubernetesPorts.GatewayHttp, "HTTP"),
            new("https", "https", 443, KubernetesPorts.GatewayHttps, "HTTPS"),
        ];
        if (gateway.TcpPort is { } tcp)
        {
            ports.Add(new("tcp", "tcp", tcp, tcp, "TCP"));
        }

        return new GatewayProxyShape(KubernetesNames.Sanitize(gateway.Name), gateway.Name, options.Namespace, ServiceAccountName(gateway), gateway.Labels, ports);
    }
}

/// <summary>A gateway proxy to publish: names, where, its labels and its listener ports.</summary>
internal sealed record GatewayProxyShape(
    string Name, string Workload, string Namespace, string ServiceAccount, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<GatewayProxyPort> Ports)
{
    /// <summary>Listens below 1024 itself (Gateway API listeners on 80/443): the pod allows it, as Istio's gateway pods do.</summary>
    public bool BindsPrivilegedPorts => Ports.Any(p => p.ContainerPort < 1024);
}

/// <summary>One listener port: the Service port (and its name), the container port serving it and the proxy listener's protocol.</summary>
internal sealed record GatewayProxyPort(string ServicePortName, string ContainerPortName, int ServicePort, int ContainerPort, string Protocol);

/// <summary>The Deployment and LoadBalancer Service of a gateway proxy (the ingress gateway, or a Gateway API Gateway's).</summary>
internal static class GatewayProxyManifests
{
    public static V1Deployment Deployment(GatewayProxyShape shape, MeshPublishModel model)
    {
        var options = model.Options;
        var env = new List<V1EnvVar>
        {
            SidecarContainerFactory.Value("Mesh__Mode", "Gateway"),
            SidecarContainerFactory.Value("Mesh__ControlPlane__Address", $"http://{model.ControlPlaneHost}:{KubernetesPorts.ControlPlaneGrpc}"),
            SidecarContainerFactory.Value("Mesh__ControlPlane__TokenFile", $"{SidecarContainerFactory.TokenDirectory}/{SidecarContainerFactory.TokenFile}"),
        };
        env.AddRange(SidecarContainerFactory.NodeIdentity(shape.Workload, shape.Labels));
        env.Add(SidecarContainerFactory.Value("Mesh__BindAddress", "0.0.0.0"));
        env.Add(SidecarContainerFactory.Value("Mesh__AdminPort", Text(KubernetesPorts.ProxyAdmin)));
        for (var i = 0; i < shape.Ports.Count; i++)
        {
            var prefix = $"Mesh__Gateway__Listeners__{i}__";
            env.Add(SidecarContainerFactory.Value(prefix + "Port", Text(shape.Ports[i].ContainerPort)));
            env.Add(SidecarContainerFactory.Value(prefix + "ServicePort", Text(shape.Ports[i].ServicePort)));
            env.Add(SidecarContainerFactory.Value(prefix + "Protocol", shape.Ports[i].Protocol));
        }

        var telemetry = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AppEnvironmentBuilder.AddTelemetry(telemetry, shape.Workload, options);
        env.AddRange(telemetry.Select(e => SidecarContainerFactory.Value(e.Key, e.Value)));

        var labels = WorkloadManifests.Merge(new Dictionary<string, string>(shape.Labels, StringComparer.Ordinal), KubernetesLabels.PartOfMesh("gateway"));
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = shape.Name, NamespaceProperty = shape.Namespace, Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = options.ReplicasOf(shape.Workload),
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(shape.Labels, StringComparer.Ordinal) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = shape.ServiceAccount,
                        // Istio's gateway pods bind 80/443 without privileges the same way (a namespaced, safe sysctl).
                        SecurityContext = shape.BindsPrivilegedPorts
                            ? new V1PodSecurityContext { Sysctls = [new V1Sysctl { Name = "net.ipv4.ip_unprivileged_port_start", Value = "0" }] }
                            : null,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "gateway",
                                Image = options.Image(MeshProgram.Gateway.ImageRepository),
                                ImagePullPolicy = options.ImagePullPolicy,
                                Env = env,
                                Args = SidecarContainerFactory.LabelArguments(shape.Labels),
                                Ports =
                                [
                                    .. shape.Ports.Select(p => new V1ContainerPort { Name = p.ContainerPortName, ContainerPort = p.ContainerPort, Protocol = "TCP" }),
                                    new V1ContainerPort { Name = "mesh-admin", ContainerPort = KubernetesPorts.ProxyAdmin, Protocol = "TCP" },
                                ],
                                Resources = options.GatewayResources.ToRequirements(),
                                // Ready once the first snapshot is applied: no traffic before routes exist.
                                ReadinessProbe = SidecarContainerFactory.ProxyProbe("/ready", failureThreshold: 3, periodSeconds: 5),
                                LivenessProbe = SidecarContainerFactory.ProxyProbe("/healthz", failureThreshold: 3, periodSeconds: 10),
                                VolumeMounts = [new V1VolumeMount { Name = SidecarContainerFactory.TokenVolume, MountPath = SidecarContainerFactory.TokenDirectory, ReadOnlyProperty = true }],
                                SecurityContext = SidecarContainerFactory.RestrictedSecurityContext(),
                            },
                        ],
                        Volumes = [SidecarContainerFactory.TokenProjection()],
                    },
                },
            },
        };
    }

    public static V1Service Service(GatewayProxyShape shape) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = shape.Name,
            NamespaceProperty = shape.Namespace,
            Labels = WorkloadManifests.Merge(new Dictionary<string, string>(shape.Labels, StringComparer.Ordinal), KubernetesLabels.PartOfMesh("gateway")),
        },
        Spec = new V1ServiceSpec
        {
            Type = "LoadBalancer",
            Selector = new Dictionary<string, string>(shape.Labels, StringComparer.Ordinal),
            Ports = [.. shape.Ports.Select(p => new V1ServicePort { Name = p.ServicePortName, Port = p.ServicePort, TargetPort = p.ContainerPort, Protocol = "TCP" })],
        },
    };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
