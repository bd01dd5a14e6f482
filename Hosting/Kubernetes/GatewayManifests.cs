using System.Globalization;
using k8s.Models;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// An ingress gateway: its ServiceAccount, a Deployment of the gateway proxy (the same
/// <c>Mesh__*</c> settings as locally, listeners at 8080/8443 serving Gateway ports 80/443), and a
/// LoadBalancer Service mapping 80→8080 and 443→8443 as Istio's ingress gateway does.
/// </summary>
internal static class GatewayManifests
{
    public static string ServiceAccountName(MeshGatewayResource gateway) => KubernetesNames.Sanitize($"{gateway.Name}-service-account");

    public static V1Deployment Deployment(MeshGatewayResource gateway, MeshPublishModel model)
    {
        var options = model.Options;
        var name = KubernetesNames.Sanitize(gateway.Name);
        var env = new List<V1EnvVar>
        {
            SidecarContainerFactory.Value("Mesh__Mode", "Gateway"),
            SidecarContainerFactory.Value("Mesh__ControlPlane__Address", $"http://{model.ControlPlaneHost}:{KubernetesPorts.ControlPlaneGrpc}"),
            SidecarContainerFactory.Value("Mesh__ControlPlane__TokenFile", $"{SidecarContainerFactory.TokenDirectory}/{SidecarContainerFactory.TokenFile}"),
        };
        env.AddRange(SidecarContainerFactory.NodeIdentity(gateway.Name, gateway.Labels));
        env.Add(SidecarContainerFactory.Value("Mesh__BindAddress", "0.0.0.0"));
        env.Add(SidecarContainerFactory.Value("Mesh__AdminPort", Text(KubernetesPorts.ProxyAdmin)));
        env.AddRange(Listener(0, KubernetesPorts.GatewayHttp, 80, "HTTP"));
        env.AddRange(Listener(1, KubernetesPorts.GatewayHttps, 443, "HTTPS"));
        var telemetry = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AppEnvironmentBuilder.AddTelemetry(telemetry, gateway.Name, options);
        env.AddRange(telemetry.Select(e => SidecarContainerFactory.Value(e.Key, e.Value)));

        var labels = WorkloadManifests.Merge(gateway.Labels, KubernetesLabels.PartOfMesh("gateway"));
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = options.Namespace, Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = options.ReplicasOf(gateway),
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(gateway.Labels, StringComparer.Ordinal) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = ServiceAccountName(gateway),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "gateway",
                                Image = options.Image(MeshProgram.Gateway.ImageRepository),
                                ImagePullPolicy = options.ImagePullPolicy,
                                Env = env,
                                Ports =
                                [
                                    new V1ContainerPort { Name = "http", ContainerPort = KubernetesPorts.GatewayHttp, Protocol = "TCP" },
                                    new V1ContainerPort { Name = "https", ContainerPort = KubernetesPorts.GatewayHttps, Protocol = "TCP" },
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

    public static V1Service Service(MeshGatewayResource gateway, KubernetesPublishOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = KubernetesNames.Sanitize(gateway.Name),
            NamespaceProperty = options.Namespace,
            Labels = WorkloadManifests.Merge(gateway.Labels, KubernetesLabels.PartOfMesh("gateway")),
        },
        Spec = new V1ServiceSpec
        {
            Type = "LoadBalancer",
            Selector = new Dictionary<string, string>(gateway.Labels, StringComparer.Ordinal),
            Ports =
            [
                new V1ServicePort { Name = "http2", Port = 80, TargetPort = KubernetesPorts.GatewayHttp, Protocol = "TCP" },
                new V1ServicePort { Name = "https", Port = 443, TargetPort = KubernetesPorts.GatewayHttps, Protocol = "TCP" },
            ],
        },
    };

    private static IEnumerable<V1EnvVar> Listener(int index, int port, int servicePort, string protocol)
    {
        var prefix = $"Mesh__Gateway__Listeners__{index}__";
        yield return SidecarContainerFactory.Value(prefix + "Port", Text(port));
        yield return SidecarContainerFactory.Value(prefix + "ServicePort", Text(servicePort));
        yield return SidecarContainerFactory.Value(prefix + "Protocol", protocol);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
