namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>ConnectionPoolSettings</c>.</summary>
public sealed record ConnectionPoolSettings
{
    public TcpSettings? Tcp { get; init; }

    public HttpSettings? Http { get; init; }
}

/// <summary>Istio's <c>ConnectionPoolSettings.TCPSettings</c>.</summary>
public sealed record TcpSettings
{
    public int? MaxConnections { get; init; }

    public TimeSpan? ConnectTimeout { get; init; }

    public TcpKeepalive? TcpKeepalive { get; init; }

    public TimeSpan? MaxConnectionDuration { get; init; }

    public TimeSpan? IdleTimeout { get; init; }
}

/// <summary>Istio's <c>ConnectionPoolSettings.TCPSettings.TcpKeepalive</c>.</summary>
public sealed record TcpKeepalive
{
    public uint? Probes { get; init; }

    public TimeSpan? Time { get; init; }

    public TimeSpan? Interval { get; init; }
}

/// <summary>Istio's <c>ConnectionPoolSettings.HTTPSettings</c>.</summary>
public sealed record HttpSettings
{
    public int? Http1MaxPendingRequests { get; init; }

    public int? Http2MaxRequests { get; init; }

    public int? MaxRequestsPerConnection { get; init; }

    public int? MaxRetries { get; init; }

    public TimeSpan? IdleTimeout { get; init; }

    public H2UpgradePolicy? H2UpgradePolicy { get; init; }

    public bool? UseClientProtocol { get; init; }

    public int? MaxConcurrentStreams { get; init; }
}

/// <summary>Istio's <c>ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy</c>.</summary>
public enum H2UpgradePolicy
{
    Default,
    DoNotUpgrade,
    Upgrade,
}

/// <summary>Istio's <c>OutlierDetection</c>.</summary>
public sealed record OutlierDetection
{
    public bool? SplitExternalLocalOriginErrors { get; init; }

    public uint? ConsecutiveLocalOriginFailures { get; init; }

    public uint? ConsecutiveGatewayErrors { get; init; }

    public uint? Consecutive5xxErrors { get; init; }

    /// <summary>Deprecated (use <see cref="Consecutive5xxErrors"/>).</summary>
    public int? ConsecutiveErrors { get; init; }

    public TimeSpan? Interval { get; init; }

    public TimeSpan? BaseEjectionTime { get; init; }

    public int? MaxEjectionPercent { get; init; }

    public int? MinHealthPercent { get; init; }
}

/// <summary>Istio's <c>ClientTLSSettings</c>.</summary>
public sealed record ClientTlsSettings
{
    public ClientTlsMode? Mode { get; init; }

    public string? ClientCertificate { get; init; }

    public string? PrivateKey { get; init; }

    public string? CaCertificates { get; init; }

    public string? CredentialName { get; init; }

    public Common.ValueList<string> SubjectAltNames { get; init; } = [];

    public string? Sni { get; init; }

    public bool? InsecureSkipVerify { get; init; }

    public string? CaCrl { get; init; }
}

/// <summary>Istio's <c>ClientTLSSettings.TLSmode</c>.</summary>
public enum ClientTlsMode
{
    Disable,
    Simple,
    Mutual,
    IstioMutual,
}
