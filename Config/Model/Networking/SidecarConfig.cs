using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Spec of Istio's <c>Sidecar</c>: scopes what a proxy sees and how it listens.</summary>
public sealed record SidecarConfig
{
    public WorkloadLabelSelector? WorkloadSelector { get; init; }

    [Refused("the proxy's inbound listeners come from the workload's registered ports; declared ingress listeners (port, bind, defaultEndpoint, TLS) are not implemented")]
    public ValueList<IstioIngressListener> Ingress { get; init; } = [];

    public ValueList<IstioEgressListener> Egress { get; init; } = [];

    [Refused("the proxy does not limit inbound connections")]
    public ConnectionPoolSettings? InboundConnectionPool { get; init; }

    public OutboundTrafficPolicyConfig? OutboundTrafficPolicy { get; init; }
}

/// <summary>Istio's <c>IstioIngressListener</c>.</summary>
public sealed record IstioIngressListener
{
    public ServerPort? Port { get; init; }

    public string? Bind { get; init; }

    public CaptureMode? CaptureMode { get; init; }

    public string? DefaultEndpoint { get; init; }

    public ServerTlsSettings? Tls { get; init; }

    public ConnectionPoolSettings? ConnectionPool { get; init; }
}

/// <summary>Istio's <c>IstioEgressListener</c>.</summary>
public sealed record IstioEgressListener
{
    public ServerPort? Port { get; init; }

    [Refused("the proxy's outbound listeners come from the workload's outbound bindings")]
    public string? Bind { get; init; }

    [Limited("DEFAULT only: Mesh does not capture traffic with iptables")]
    public CaptureMode? CaptureMode { get; init; }

    public ValueList<string> Hosts { get; init; } = [];
}

/// <summary>Istio's <c>CaptureMode</c>.</summary>
public enum CaptureMode
{
    Default,
    Iptables,
    None,
}

/// <summary>Istio's <c>OutboundTrafficPolicy</c>.</summary>
public sealed record OutboundTrafficPolicyConfig
{
    public OutboundTrafficPolicyMode? Mode { get; init; }

    [Refused("routing unknown traffic through an egress proxy is not implemented")]
    public Destination? EgressProxy { get; init; }
}

/// <summary>Istio's <c>OutboundTrafficPolicy.Mode</c>.</summary>
public enum OutboundTrafficPolicyMode
{
    RegistryOnly,
    AllowAny,
}
