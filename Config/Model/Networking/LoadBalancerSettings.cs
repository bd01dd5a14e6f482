using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>LoadBalancerSettings</c>: oneof simple / consistentHash, plus locality and warmup.</summary>
public sealed record LoadBalancerSettings
{
    public SimpleLoadBalancer? Simple { get; init; }

    public ConsistentHashLb? ConsistentHash { get; init; }

    [Limited("HTTP and gRPC traffic only: TCP clusters balance endpoints by weight without localities")]
    public LocalityLoadBalancerSetting? LocalityLbSetting { get; init; }

    [Refused("slow start (warm-up) is not implemented by the proxy's load balancers")]
    public TimeSpan? WarmupDurationSecs { get; init; }

    [Refused("slow start (warm-up) is not implemented by the proxy's load balancers")]
    public WarmupConfiguration? Warmup { get; init; }

    [Refused("zone-aware load balancing is not implemented: Mesh endpoints have no zone")]
    public ZoneAwareLoadBalancerSetting? ZoneAwareLbSetting { get; init; }
}

/// <summary>Istio's <c>LoadBalancerSettings.SimpleLB</c>.</summary>
public enum SimpleLoadBalancer
{
    Unspecified,
    LeastConn,
    Random,
    Passthrough,
    RoundRobin,
    LeastRequest,
}

/// <summary>Istio's <c>LoadBalancerSettings.ConsistentHashLB</c>: oneof hash key, oneof ring algorithm.</summary>
public sealed record ConsistentHashLb
{
    public string? HttpHeaderName { get; init; }

    public HttpCookie? HttpCookie { get; init; }

    public bool? UseSourceIp { get; init; }

    public string? HttpQueryParameterName { get; init; }

    public RingHash? RingHash { get; init; }

    public MagLev? Maglev { get; init; }

    /// <summary>Deprecated (use <see cref="RingHash"/>).</summary>
    [Limited("at most 8,388,608 (Envoy's maximum ring size)")]
    public ulong? MinimumRingSize { get; init; }
}

/// <summary>Istio's <c>ConsistentHashLB.HTTPCookie</c>.</summary>
public sealed record HttpCookie
{
    public string? Name { get; init; }

    public string? Path { get; init; }

    public TimeSpan? Ttl { get; init; }

    [Refused("the proxy does not set attributes on the cookie it generates")]
    public ValueList<HttpCookieAttribute> Attributes { get; init; } = [];
}

/// <summary>Istio's <c>ConsistentHashLB.HTTPCookie.Attribute</c>.</summary>
public sealed record HttpCookieAttribute
{
    public string? Name { get; init; }

    public string? Value { get; init; }
}

/// <summary>Istio's <c>ConsistentHashLB.RingHash</c>.</summary>
public sealed record RingHash
{
    [Limited("at most 8,388,608 (Envoy's maximum ring size)")]
    public ulong? MinimumRingSize { get; init; }
}

/// <summary>Istio's <c>ConsistentHashLB.MagLev</c>.</summary>
public sealed record MagLev
{
    public ulong? TableSize { get; init; }
}

/// <summary>Istio's <c>LocalityLoadBalancerSetting</c>.</summary>
public sealed record LocalityLoadBalancerSetting
{
    public ValueList<LocalityDistribute> Distribute { get; init; } = [];

    public ValueList<LocalityFailover> Failover { get; init; } = [];

    public ValueList<string> FailoverPriority { get; init; } = [];

    public bool? Enabled { get; init; }
}

/// <summary>Istio's <c>LocalityLoadBalancerSetting.Distribute</c>.</summary>
public sealed record LocalityDistribute
{
    public string? From { get; init; }

    public ValueMap<uint> To { get; init; } = ValueMap<uint>.Empty;
}

/// <summary>Istio's <c>LocalityLoadBalancerSetting.Failover</c>.</summary>
public sealed record LocalityFailover
{
    public string? From { get; init; }

    public string? To { get; init; }
}

/// <summary>Istio's <c>WarmupConfiguration</c>.</summary>
public sealed record WarmupConfiguration
{
    public TimeSpan? Duration { get; init; }

    public double? MinimumPercent { get; init; }

    public double? Aggression { get; init; }
}

/// <summary>Istio's <c>ZoneAwareLoadBalancerSetting</c>.</summary>
public sealed record ZoneAwareLoadBalancerSetting
{
    public bool? Enabled { get; init; }

    public ValueList<LocalityFailover> Failover { get; init; } = [];

    public ValueList<string> FailoverPriority { get; init; } = [];

    public uint? MinClusterSize { get; init; }
}
