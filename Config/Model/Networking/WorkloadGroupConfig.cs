using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>
/// Spec of Istio's <c>WorkloadGroup</c>: the template from which the sidecar of a workload outside
/// the mesh's hosts (a VM) registers its <c>WorkloadEntry</c> (auto-registration), and the readiness
/// probe that sidecar runs.
/// </summary>
public sealed record WorkloadGroupConfig
{
    /// <summary>Labels and annotations every WorkloadEntry of the group carries.</summary>
    public WorkloadGroupMetadata? Metadata { get; init; }

    /// <summary>The WorkloadEntry template (its address is the one the VM reports; its labels are <see cref="Metadata"/>'s).</summary>
    public WorkloadEntryConfig? Template { get; init; }

    public ReadinessProbeConfig? Probe { get; init; }
}

/// <summary>Istio's <c>WorkloadGroup.ObjectMeta</c>.</summary>
public sealed record WorkloadGroupMetadata
{
    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public ValueMap<string> Annotations { get; init; } = ValueMap<string>.Empty;
}

/// <summary>Istio's <c>ReadinessProbe</c>: Kubernetes' readiness probe, run by the workload's sidecar.</summary>
public sealed record ReadinessProbeConfig
{
    public int? InitialDelaySeconds { get; init; }

    public int? TimeoutSeconds { get; init; }

    public int? PeriodSeconds { get; init; }

    public int? SuccessThreshold { get; init; }

    public int? FailureThreshold { get; init; }

    public HttpHealthCheckConfig? HttpGet { get; init; }

    public TcpHealthCheckConfig? TcpSocket { get; init; }

    public ExecHealthCheckConfig? Exec { get; init; }

    [Refused("gRPC health checks are not implemented; use httpGet, tcpSocket or exec")]
    public GrpcHealthCheckConfig? Grpc { get; init; }
}

/// <summary>Istio's <c>HTTPHealthCheckConfig</c>.</summary>
public sealed record HttpHealthCheckConfig
{
    public string? Path { get; init; }

    public uint? Port { get; init; }

    public string? Host { get; init; }

    public string? Scheme { get; init; }

    public ValueList<HttpHeaderConfig> HttpHeaders { get; init; } = [];
}

/// <summary>Istio's <c>HTTPHeader</c> (probe request headers).</summary>
public sealed record HttpHeaderConfig
{
    public string? Name { get; init; }

    public string? Value { get; init; }
}

/// <summary>Istio's <c>TCPHealthCheckConfig</c>.</summary>
public sealed record TcpHealthCheckConfig
{
    public string? Host { get; init; }

    public uint? Port { get; init; }
}

/// <summary>Istio's <c>ExecHealthCheckConfig</c>.</summary>
public sealed record ExecHealthCheckConfig
{
    public ValueList<string> Command { get; init; } = [];
}

/// <summary>Istio's <c>GrpcHealthCheckConfig</c>.</summary>
public sealed record GrpcHealthCheckConfig
{
    public uint? Port { get; init; }

    public string? Service { get; init; }
}
