using k8s;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>The KubernetesClient the Kubernetes mode talks through: explicit server, in-cluster, or kubeconfig.</summary>
internal static class KubernetesClientFactory
{
    public static IKubernetes Create(KubernetesOptions options)
    {
        KubernetesClientConfiguration configuration;
        if (!string.IsNullOrWhiteSpace(options.ApiServer))
        {
            configuration = new KubernetesClientConfiguration { Host = options.ApiServer, AccessToken = options.AccessToken };
        }
        else if (KubernetesClientConfiguration.IsInCluster())
        {
            configuration = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile();
        }

        // Watches are long polls: the per-request timeout must not cut them.
        configuration.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return new k8s.Kubernetes(configuration);
    }
}
