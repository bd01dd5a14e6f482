using k8s.Models;
using Mesh.Config.Model;
using Mesh.Config.Model.MeshConfiguration;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The control plane in Kubernetes mode: ServiceAccount, least-privilege RBAC (read and watch the
/// mesh CRDs and write their status, read and watch EndpointSlices and Pods — the registry —,
/// review service account tokens, keep its CA in one Secret of its own namespace, read Istio's
/// mesh config ConfigMap there, and hold the leader-election Lease there), the Deployment and the
/// Service sidecars and gateways dial. With more than one replica, a PodDisruptionBudget keeps one
/// serving through voluntary disruptions (node drains) and the replicas prefer different nodes.
/// </summary>
internal static class ControlPlaneManifests
{
    public const string CaSecretName = "mesh-ca";
    public const string DataDirectory = "/var/lib/mesh";
    public const string LeaseName = "mesh-controlplane-leader";

    public static IEnumerable<(string File, object Manifest)> All(MeshPublishModel model)
    {
        var name = model.ControlPlaneName;
        var ns = model.Options.ControlPlaneNamespace;
        yield return ("serviceaccount.yaml", WorkloadManifests.ServiceAccount(name, ns, "controlplane"));
        yield return ("clusterrole.yaml", ClusterRole(name));
        yield return ("clusterrolebinding.yaml", ClusterRoleBinding(name, ns));
        yield return ("role.yaml", CaRole(name, ns));
        yield return ("rolebinding.yaml", RoleBinding(name, ns, "ca"));
        yield return ("role-meshconfig.yaml", MeshConfigRole(name, ns));
        yield return ("rolebinding-meshconfig.yaml", RoleBinding(name, ns, "meshconfig"));
        yield return ("role-leader-election.yaml", LeaderElectionRole(name, ns));
        yield return ("rolebinding-leader-election.yaml", RoleBinding(name, ns, "leader-election"));
        if (model.Mesh.Gateways.Count > 0)
        {
            // Gateways' credentialName: TLS Secrets of the gateways' namespace, read as Istio does.
            yield return ("role-credentials.yaml", CredentialRole(name, model.Options.Namespace));
            yield return ("rolebinding-credentials.yaml", CredentialRoleBinding(name, ns, model.Options.Namespace));
        }

        yield return ("deployment.yaml", Deployment(model));
        if (model.Options.ControlPlaneReplicas > 1)
        {
            yield return ("poddisruptionbudget.yaml", DisruptionBudget(name, ns));
        }

        yield return ("service.yaml", Service(name, ns));
    }

    private static V1ClusterRole ClusterRole(string name)
    {
        var groups = ConfigKinds.Istio.Select(k => k.Group).Distinct().ToList();
        var plurals = ConfigKinds.Istio.Select(k => k.Plural).ToList();
        // The Gateway API's kinds (their CRDs are the Gateway API project's, which users install) and their status.
        var gatewayApi = ConfigKinds.GatewayApi.Select(k => k.Plural).ToList();
        return new V1ClusterRole
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "ClusterRole",
            Metadata = new V1ObjectMeta { Name = $"mesh-{name}", Labels = KubernetesLabels.PartOfMesh("controlplane") },
            Rules =
            [
                new V1PolicyRule { ApiGroups = groups, Resources = plurals, Verbs = ["get", "list", "watch"] },
                new V1PolicyRule { ApiGroups = groups, Resources = [.. plurals.Select(p => p + "/status")], Verbs = ["get", "patch", "update"] },
                new V1PolicyRule { ApiGroups = [ConfigKinds.GatewayApiGroup], Resources = gatewayApi, Verbs = ["get", "list", "watch"] },
                // ReferenceGrant has no status.
                new V1PolicyRule { ApiGroups = [ConfigKinds.GatewayApiGroup], Resources = [.. gatewayApi.Where(p => p != ConfigKinds.ReferenceGrant.Plural).Select(p => p + "/status")], Verbs = ["get", "patch", "update"] },
                // The registry (Istio's Kubernetes registry): endpoints of every Service, and the pods behind them.
                new V1PolicyRule { ApiGroups = ["discovery.k8s.io"], Resources = ["endpointslices"], Verbs = ["get", "list", "watch"] },
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list", "watch"] },
                // The bootstrap credential of proxies: their projected service account tokens.
                new V1PolicyRule { ApiGroups = ["authentication.k8s.io"], Resources = ["tokenreviews"], Verbs = ["create"] },
            ],
        };
    }

    private static V1ClusterRoleBinding ClusterRoleBinding(string name, string ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "ClusterRoleBinding",
        Metadata = new V1ObjectMeta { Name = $"mesh-{name}", Labels = KubernetesLabels.PartOfMesh("controlplane") },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = $"mesh-{name}" },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns }],
    };

    // Create cannot be limited to a name (the object does not exist yet); everything else is
    // limited to the CA Secret.
    private static V1Role CaRole(string name, string ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = new V1ObjectMeta { Name = $"{name}-ca", NamespaceProperty = ns, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        Rules =
        [
            new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["create"] },
            new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], ResourceNames = [CaSecretName], Verbs = ["get", "update", "patch"] },
        ],
    };

    // Istio's mesh config (extension providers): the ConfigMap "istio" of the control plane's own
    // namespace, read and watched by name only (list and watch with a metadata.name field selector
    // are authorized by resourceNames).
    private static V1Role MeshConfigRole(string name, string ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = new V1ObjectMeta { Name = $"{name}-meshconfig", NamespaceProperty = ns, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = [IstioMeshConfigMap.Name], Verbs = ["get", "list", "watch"] }],
    };

    // Leader election (status writes, CA bootstrap): create cannot be limited to a name; reading and
    // renewing are limited to the one Lease.
    private static V1Role LeaderElectionRole(string name, string ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = new V1ObjectMeta { Name = $"{name}-leader-election", NamespaceProperty = ns, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        Rules =
        [
            new V1PolicyRule { ApiGroups = ["coordination.k8s.io"], Resources = ["leases"], Verbs = ["create"] },
            new V1PolicyRule { ApiGroups = ["coordination.k8s.io"], Resources = ["leases"], ResourceNames = [LeaseName], Verbs = ["get", "update"] },
        ],
    };

    private static V1RoleBinding RoleBinding(string name, string ns, string role) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = new V1ObjectMeta { Name = $"{name}-{role}", NamespaceProperty = ns, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = $"{name}-{role}" },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns }],
    };

    private static V1PodDisruptionBudget DisruptionBudget(string name, string ns) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = 1,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = name } },
        },
    };

    private static V1Role CredentialRole(string name, string gatewayNamespace) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "Role",
        Metadata = new V1ObjectMeta { Name = $"{name}-credentials", NamespaceProperty = gatewayNamespace, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["get", "list", "watch"] }],
    };

    private static V1RoleBinding CredentialRoleBinding(string name, string ns, string gatewayNamespace) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = new V1ObjectMeta { Name = $"{name}-credentials", NamespaceProperty = gatewayNamespace, Labels = KubernetesLabels.PartOfMesh("controlplane") },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = $"{name}-credentials" },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns }],
    };

    private static V1Deployment Deployment(MeshPublishModel model)
    {
        var options = model.Options;
        var name = model.ControlPlaneName;
        var selector = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = name };
        var env = new List<V1EnvVar>
        {
            SidecarContainerFactory.Value("ControlPlane__Mode", "Kubernetes"),
            SidecarContainerFactory.Value("ControlPlane__BindAddress", "0.0.0.0"),
            SidecarContainerFactory.Value("ControlPlane__GrpcPort", "15012"),
            SidecarContainerFactory.Value("ControlPlane__AdminPort", "15014"),
            SidecarContainerFactory.Value("ControlPlane__DataDirectory", DataDirectory),
            SidecarContainerFactory.Value("ControlPlane__GenerateAdminToken", "true"),
            SidecarContainerFactory.Value("ControlPlane__TrustDomain", model.Mesh.TrustDomain),
            SidecarContainerFactory.Value("ControlPlane__DefaultNamespace", options.Namespace),
            SidecarContainerFactory.Value("ControlPlane__RootNamespace", options.ControlPlaneNamespace),
            SidecarContainerFactory.Field("ControlPlane__Kubernetes__Namespace", "metadata.namespace"),
            SidecarContainerFactory.Value("ControlPlane__Kubernetes__CaSecretName", CaSecretName),
            SidecarContainerFactory.Value("ControlPlane__Kubernetes__LeaseName", LeaseName),
            SidecarContainerFactory.Value("ControlPlane__Kubernetes__TokenAudience", SidecarContainerFactory.TokenAudience),
        };
        if (model.Mesh.Gateways.Count > 0)
        {
            env.Add(SidecarContainerFactory.Value("ControlPlane__Kubernetes__CredentialNamespaces__0", options.Namespace));
        }

        var telemetry = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AppEnvironmentBuilder.AddTelemetry(telemetry, model.Mesh.Name, options);
        env.AddRange(telemetry.Select(e => SidecarContainerFactory.Value(e.Key, e.Value)));

        var labels = WorkloadManifests.Merge(selector, KubernetesLabels.PartOfMesh("controlplane"));
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = options.ControlPlaneNamespace, Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = options.ControlPlaneReplicas,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = name,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "controlplane",
                                Image = options.Image(MeshProgram.ControlPlane.ImageRepository),
                                ImagePullPolicy = options.ImagePullPolicy,
                                Env = env,
                                Ports =
                                [
                                    new V1ContainerPort { Name = "grpc-xds", ContainerPort = KubernetesPorts.ControlPlaneGrpc, Protocol = "TCP" },
                                    new V1ContainerPort { Name = "http-monitoring", ContainerPort = KubernetesPorts.ControlPlaneAdmin, Protocol = "TCP" },
                                ],
                                Resources = options.ControlPlaneResources.ToRequirements(),
                                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = KubernetesPorts.ControlPlaneAdmin }, PeriodSeconds = 3 },
                                LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = KubernetesPorts.ControlPlaneAdmin }, PeriodSeconds = 10 },
                                VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = DataDirectory }],
                                SecurityContext = SidecarContainerFactory.RestrictedSecurityContext(),
                            },
                        ],
                        // Replicas on different nodes where the cluster can (one node's loss leaves one serving).
                        TopologySpreadConstraints = options.ControlPlaneReplicas > 1
                            ? [new V1TopologySpreadConstraint { MaxSkew = 1, TopologyKey = "kubernetes.io/hostname", WhenUnsatisfiable = "ScheduleAnyway", LabelSelector = new V1LabelSelector { MatchLabels = selector } }]
                            : null,
                        // Scratch state only: the CA lives in the mesh-ca Secret, config in the CRDs.
                        Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }],
                    },
                },
            },
        };
    }

    private static V1Service Service(string name, string ns) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = WorkloadManifests.Merge(new Dictionary<string, string> { ["app"] = name }, KubernetesLabels.PartOfMesh("controlplane")) },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = name },
            Ports =
            [
                new V1ServicePort { Name = "grpc-xds", Port = KubernetesPorts.ControlPlaneGrpc, TargetPort = KubernetesPorts.ControlPlaneGrpc, Protocol = "TCP", AppProtocol = "grpc" },
                new V1ServicePort { Name = "http-monitoring", Port = KubernetesPorts.ControlPlaneAdmin, TargetPort = KubernetesPorts.ControlPlaneAdmin, Protocol = "TCP", AppProtocol = "http" },
            ],
        },
    };
}
