using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Core;

/// <summary>
/// Spec of a Kubernetes <c>Service</c> (core <c>v1</c>): a name for the workloads its
/// <c>selector</c> picks, on its ports. The mesh turns it into a registry service
/// (<c>name.namespace.svc.cluster.local</c>) whose endpoints are the registered workloads of its
/// namespace with matching labels — what Istio's tasks need for per-version Services such as
/// <c>reviews-v1</c> (<c>bookinfo-versions.yaml</c>). Fields that only steer kube-proxy or cloud
/// load balancers are read and have no effect in the mesh.
/// </summary>
public sealed record KubernetesServiceConfig
{
    public ValueList<KubernetesServicePort> Ports { get; init; } = [];

    public ValueMap<string> Selector { get; init; } = ValueMap<string>.Empty;

    public string? Type { get; init; }

    [YamlName("clusterIP")]
    public string? ClusterIp { get; init; }

    [YamlName("clusterIPs")]
    public ValueList<string> ClusterIps { get; init; } = [];

    [YamlName("externalIPs")]
    public ValueList<string> ExternalIps { get; init; } = [];

    public string? ExternalName { get; init; }

    public string? SessionAffinity { get; init; }

    public SessionAffinityConfig? SessionAffinityConfig { get; init; }

    [YamlName("loadBalancerIP")]
    public string? LoadBalancerIp { get; init; }

    public ValueList<string> LoadBalancerSourceRanges { get; init; } = [];

    public string? LoadBalancerClass { get; init; }

    public bool? AllocateLoadBalancerNodePorts { get; init; }

    public string? ExternalTrafficPolicy { get; init; }

    public string? InternalTrafficPolicy { get; init; }

    public int? HealthCheckNodePort { get; init; }

    public bool? PublishNotReadyAddresses { get; init; }

    public ValueList<string> IpFamilies { get; init; } = [];

    public string? IpFamilyPolicy { get; init; }

    public string? TrafficDistribution { get; init; }
}

/// <summary>A Service port: the number callers use, its name, and the workload port it targets (a number or a port name).</summary>
public sealed record KubernetesServicePort
{
    public string? Name { get; init; }

    public string? Protocol { get; init; }

    public string? AppProtocol { get; init; }

    public int? Port { get; init; }

    /// <summary>Kubernetes' IntOrString: a number, or the name of a workload port; defaults to <see cref="Port"/>.</summary>
    public string? TargetPort { get; init; }

    public int? NodePort { get; init; }
}

public sealed record SessionAffinityConfig
{
    [YamlName("clientIP")]
    public ClientIpConfig? ClientIp { get; init; }
}

public sealed record ClientIpConfig
{
    public int? TimeoutSeconds { get; init; }
}
