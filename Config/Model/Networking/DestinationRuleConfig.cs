using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Spec of Istio's <c>DestinationRule</c>.</summary>
public sealed record DestinationRuleConfig
{
    public string? Host { get; init; }

    public TrafficPolicy? TrafficPolicy { get; init; }

    public ValueList<Subset> Subsets { get; init; } = [];

    public ValueList<string> ExportTo { get; init; } = [];

    public WorkloadSelector? WorkloadSelector { get; init; }
}

/// <summary>Istio's <c>Subset</c>: a named set of endpoints by labels, with an optional policy override.</summary>
public sealed record Subset
{
    public string? Name { get; init; }

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public TrafficPolicy? TrafficPolicy { get; init; }
}

/// <summary>Istio's <c>TrafficPolicy</c>.</summary>
public sealed record TrafficPolicy
{
    public LoadBalancerSettings? LoadBalancer { get; init; }

    public ConnectionPoolSettings? ConnectionPool { get; init; }

    public OutlierDetection? OutlierDetection { get; init; }

    public ClientTlsSettings? Tls { get; init; }

    public ValueList<PortTrafficPolicy> PortLevelSettings { get; init; } = [];

    [Refused("the proxy does not tunnel upstream connections (HTTP CONNECT/POST)")]
    public TunnelSettings? Tunnel { get; init; }

    [Refused("the proxy does not send PROXY protocol headers upstream")]
    public ProxyProtocol? ProxyProtocol { get; init; }

    public RetryBudget? RetryBudget { get; init; }
}

/// <summary>Istio's <c>TrafficPolicy.PortTrafficPolicy</c>.</summary>
public sealed record PortTrafficPolicy
{
    public PortSelector? Port { get; init; }

    public LoadBalancerSettings? LoadBalancer { get; init; }

    public ConnectionPoolSettings? ConnectionPool { get; init; }

    public OutlierDetection? OutlierDetection { get; init; }

    public ClientTlsSettings? Tls { get; init; }
}

/// <summary>Istio's <c>TrafficPolicy.TunnelSettings</c>.</summary>
public sealed record TunnelSettings
{
    public string? Protocol { get; init; }

    public string? TargetHost { get; init; }

    public uint? TargetPort { get; init; }
}

/// <summary>Istio's <c>TrafficPolicy.ProxyProtocol</c>.</summary>
public sealed record ProxyProtocol
{
    public ProxyProtocolVersion? Version { get; init; }
}

/// <summary>Istio's <c>TrafficPolicy.ProxyProtocol.VERSION</c>.</summary>
public enum ProxyProtocolVersion
{
    V1,
    V2,
}

/// <summary>Istio's <c>TrafficPolicy.RetryBudget</c>.</summary>
public sealed record RetryBudget
{
    public double? Percent { get; init; }

    public uint? MinRetryConcurrency { get; init; }

    [Refused("the proxy's retry budget counts active requests and has no interval")]
    public TimeSpan? BudgetInterval { get; init; }
}
