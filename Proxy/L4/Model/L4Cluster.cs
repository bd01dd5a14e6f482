namespace Mesh.Proxy.L4.Model;

/// <summary>How connections to endpoints are spread (DestinationRule loadBalancer for L4).</summary>
internal enum L4Balancing
{
    /// <summary>LEAST_REQUEST (Istio's default) and LEAST_CONN: the fewer open connections of two random endpoints.</summary>
    LeastConnections,
    RoundRobin,
    Random,

    /// <summary>consistentHash.useSourceIp: the caller's address picks the endpoint (the only hash key a TCP connection has).</summary>
    SourceIpHash,

    /// <summary>PASSTHROUGH / ServiceEntry resolution NONE: dial the destination the caller asked for.</summary>
    Passthrough,
}

/// <summary>Envoy's outlier detection as it applies to TCP: connect failures and timeouts count as 5xx and gateway errors.</summary>
internal sealed record L4OutlierSettings(int ConsecutiveFailures, TimeSpan Interval, TimeSpan BaseEjectionTime, int MaxEjectionPercent, int MinHealthPercent)
{
    public TimeSpan EjectionTime(int ejections) => BaseEjectionTime * Math.Max(1, ejections);
}

/// <summary>An upstream cluster in the L4 proxy's runtime form (one snapshot).</summary>
internal sealed class L4Cluster
{
    public required string Name { get; init; }

    /// <summary>The service FQDN (or ServiceEntry host) for telemetry; null for the sidecar's own app.</summary>
    public string? Service { get; init; }

    public string? Subset { get; init; }

    public int Port { get; init; }

    public bool External { get; init; }

    public required IReadOnlyList<L4Endpoint> Endpoints { get; init; }

    public L4Balancing Balancing { get; init; }

    public L4PoolSettings Pool { get; init; } = L4PoolSettings.Default;

    public L4OutlierSettings? Outlier { get; init; }

    public L4UpstreamTls Tls { get; init; } = L4UpstreamTls.None;

    public required L4ClusterState State { get; init; }

    public override string ToString() => Name;
}
