using System.Net;
using k8s;
using k8s.Models;

namespace Mesh.Hosting.Tests.Pods;

/// <summary>
/// One published Deployment as the kubelet would run a pod of it: the app's and the sidecar's
/// environment exactly as written, with the downward API fields (pod name, namespace, service
/// account, pod IP) resolved for the pod the test created — nothing copied by hand.
/// </summary>
internal sealed class PublishedPod
{
    private readonly V1PodSpec _spec;

    public PublishedPod(string deploymentYaml)
    {
        Deployment = KubernetesYaml.Deserialize<V1Deployment>(deploymentYaml);
        _spec = Deployment.Spec.Template.Spec;
    }

    public V1Deployment Deployment { get; }

    public V1Container App => _spec.Containers.Single();

    public V1Container Sidecar => _spec.InitContainers.Single(c => c.Name == "mesh-sidecar");

    public string Namespace => Deployment.Metadata.NamespaceProperty;

    public string ServiceAccount => _spec.ServiceAccountName;

    public string PodName => Deployment.Metadata.Name + "-0";

    public Dictionary<string, string> Environment(V1Container container, IPAddress podIp) =>
        (container.Env ?? []).ToDictionary(e => e.Name, e => e.ValueFrom?.FieldRef?.FieldPath switch
        {
            null => e.Value,
            "metadata.name" => PodName,
            "metadata.namespace" => Namespace,
            "spec.serviceAccountName" => ServiceAccount,
            "status.podIP" => podIp.ToString(),
            var field => throw new InvalidOperationException($"{container.Name}: {e.Name} reads {field}, which this pod does not provide"),
        });

    /// <summary>The value of one of the sidecar's plain environment variables.</summary>
    public string SidecarSetting(string name) => Sidecar.Env.Single(e => e.Name == name).Value;
}
