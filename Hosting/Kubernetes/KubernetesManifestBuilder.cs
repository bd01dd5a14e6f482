using Aspire.Hosting;
using k8s;
using k8s.Models;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Walks the mesh's app model — the same one <c>dotnet run</c> starts — and produces every
/// Kubernetes object that runs it on a cluster, one file each:
/// <code>
/// namespace-*.yaml                    the workloads' and the control plane's namespaces
/// crds/                               the mesh CRDs (a kustomization of their own: apply first)
/// controlplane/                       ServiceAccount, RBAC, Deployment, Service
/// workloads/                          per meshed project a Deployment; per service a Service,
///                                     a NetworkPolicy; per identity a ServiceAccount; the
///                                     config directory's Services (per-version Services)
/// gateways/                           per gateway (the ingress gateway, and each Gateway API
///                                     Gateway of the config) a ServiceAccount, Deployment,
///                                     LoadBalancer Service
/// mesh-config/                        the rest of the config directory as custom resources
/// </code>
/// The output is a pure function of the model and options: file names and contents are stable.
/// </summary>
internal static class KubernetesManifestBuilder
{
    public const string CrdFolder = "crds";

    public static async Task<IReadOnlyList<KubernetesManifest>> BuildAsync(
        MeshControlPlaneResource mesh, KubernetesPublishOptions options, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var model = MeshPublishModel.Create(mesh, options);
        var manifests = new List<KubernetesManifest>();
        void Add(string path, object manifest) => manifests.Add(new KubernetesManifest(path, KubernetesYaml.Serialize(manifest) + "\n"));

        var meshConfig = MeshConfigManifests.Load(mesh.ConfigDirectory, model);
        var namespaces = new SortedSet<string>(StringComparer.Ordinal) { options.Namespace, options.ControlPlaneNamespace };
        namespaces.UnionWith(meshConfig.Select(o => o.Metadata.Namespace));
        foreach (var ns in namespaces.Where(n => n != "default" && !n.StartsWith("kube-", StringComparison.Ordinal)))
        {
            Add($"namespace-{ns}.yaml", new V1Namespace
            {
                ApiVersion = "v1",
                Kind = "Namespace",
                Metadata = new V1ObjectMeta { Name = ns, Labels = KubernetesLabels.PartOfMesh("namespace") },
            });
        }

        foreach (var crd in CrdManifests.All())
        {
            Add($"{CrdFolder}/{crd.Metadata.Name}.yaml", crd);
        }

        foreach (var (file, manifest) in ControlPlaneManifests.All(model))
        {
            Add($"controlplane/{file}", manifest);
        }

        foreach (var account in mesh.Workloads.Select(model.ServiceAccountOf).Distinct(StringComparer.Ordinal))
        {
            Add($"workloads/serviceaccount-{account}.yaml", WorkloadManifests.ServiceAccount(account, options.Namespace, "workload"));
        }

        foreach (var workload in mesh.Workloads)
        {
            var deployment = await WorkloadManifests.DeploymentAsync(workload, model, executionContext, cancellationToken);
            Add($"workloads/deployment-{deployment.Metadata.Name}.yaml", deployment);
        }

        foreach (var service in model.Services.Values)
        {
            Add($"workloads/service-{service.Name}.yaml", ServiceManifests.Service(service, options));
            if (options.NetworkPolicies)
            {
                Add($"workloads/networkpolicy-{service.Name}.yaml", ServiceManifests.NetworkPolicy(service, options));
            }
        }

        foreach (var gateway in mesh.Gateways)
        {
            var name = KubernetesNames.Sanitize(gateway.Name);
            Add($"gateways/serviceaccount-{GatewayManifests.ServiceAccountName(gateway)}.yaml",
                WorkloadManifests.ServiceAccount(GatewayManifests.ServiceAccountName(gateway), options.Namespace, "gateway"));
            Add($"gateways/deployment-{name}.yaml", GatewayManifests.Deployment(gateway, model));
            Add($"gateways/service-{name}.yaml", GatewayManifests.Service(gateway, options));
        }

        // Istio's automated deployment: each Gateway API Gateway of the config gets its own proxy.
        foreach (var shape in GatewayApiGatewayManifests.Shapes(meshConfig))
        {
            Add($"gateways/serviceaccount-{shape.ServiceAccount}.yaml", WorkloadManifests.ServiceAccount(shape.ServiceAccount, shape.Namespace, "gateway"));
            Add($"gateways/deployment-{shape.Name}.yaml", GatewayProxyManifests.Deployment(shape, model));
            Add($"gateways/service-{shape.Name}.yaml", GatewayProxyManifests.Service(shape));
        }

        foreach (var configObject in meshConfig)
        {
            if (ConfigServiceManifests.Applies(configObject))
            {
                // A Service of the config (per-version Services) is one of the cluster's Services.
                Add($"workloads/service-{configObject.Metadata.Name}.yaml", ConfigServiceManifests.Service(configObject, model));
                continue;
            }

            manifests.Add(new KubernetesManifest($"mesh-config/{MeshConfigManifests.FileName(configObject)}", MeshConfigManifests.ToYaml(configObject)));
        }

        var duplicate = manifests.GroupBy(m => m.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two objects would be written to '{duplicate.Key}': give the resources distinct names.");
        }

        manifests.Add(Kustomization(CrdFolder + "/kustomization.yaml", manifests.Where(m => m.Path.StartsWith(CrdFolder + "/", StringComparison.Ordinal)).Select(m => m.Path[(CrdFolder.Length + 1)..])));
        manifests.Add(Kustomization("kustomization.yaml", manifests.Where(m => !m.Path.StartsWith(CrdFolder + "/", StringComparison.Ordinal)).Select(m => m.Path).Prepend(CrdFolder)));
        return manifests;
    }

    private static KubernetesManifest Kustomization(string path, IEnumerable<string> resources)
    {
        var lines = new List<string>
        {
            "# Generated by the Mesh AppHost's publish-kubernetes step; re-run it instead of editing.",
            "apiVersion: kustomize.config.k8s.io/v1beta1",
            "kind: Kustomization",
            "resources:",
        };
        lines.AddRange(resources.Select(r => "- " + r));
        return new KubernetesManifest(path, string.Join('\n', lines) + "\n");
    }
}
