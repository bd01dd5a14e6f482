using Mesh.Config.Model.Common;

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

    [Limited("TCP and TLS services (connections the proxy forwards at L4); HTTP services' pooled upstream connections do not get it")]
    public TcpKeepalive? TcpKeepalive { get; init; }

    [Limited("TCP and TLS services (connections the proxy forwards at L4); HTTP services' pooled upstream connections are not limited")]
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

    [Limited("0 (unlimited) or 1 (no connection reuse, HTTP/1.1 services only): the proxy cannot count requests per pooled connection")]
    public int? MaxRequestsPerConnection { get; init; }

    public int? MaxRetries { get; init; }

    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>DEFAULT: HTTP/2 by ALPN to mesh mTLS peers, the port's protocol otherwise (docs/security.md, connection reuse).</summary>
    public H2UpgradePolicy? H2UpgradePolicy { get; init; }

    [Refused("the upstream protocol follows the service port")]
    public bool? UseClientProtocol { get; init; }

    [Refused("the proxy does not limit concurrent HTTP/2 streams per upstream connection")]
    public int? MaxConcurrentStreams { get; init; }

    [Refused("the proxy does not send HTTP/2 PING keep-alives upstream")]
    public Http2KeepAlive? Http2KeepAlive { get; init; }
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
    [Limited("false only: the proxy does not count local-origin failures apart")]
    public bool? SplitExternalLocalOriginErrors { get; init; }

    [Refused("the proxy does not count local-origin failures apart from upstream errors")]
    public uint? ConsecutiveLocalOriginFailures { get; init; }

    public uint? ConsecutiveGatewayErrors { get; init; }

    public uint? Consecutive5xxErrors { get; init; }

    /// <summary>Deprecated (use <see cref="Consecutive5xxErrors"/>).</summary>
    public int? ConsecutiveErrors { get; init; }

    public TimeSpan? Interval { get; init; }

    public TimeSpan? BaseEjectionTime { get; init; }

    public int? MaxEjectionPercent { get; init; }

    public int? MinHealthPercent { get; init; }

    [Refused("the proxy ejects on 5xx and gateway errors only")]
    public ValueList<uint> OutlierDetectionHttpErrorCodes { get; init; } = [];
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

    [Refused("the proxy does not check certificate revocation lists")]
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

/// <summary>Istio's <c>ConnectionPoolSettings.HTTPSettings.HTTP2KeepAlive</c>: HTTP/2 PING frames on upstream connections.</summary>
public sealed record Http2KeepAlive
{
    public TimeSpan? Interval { get; init; }

    public TimeSpan? Timeout { get; init; }
}
