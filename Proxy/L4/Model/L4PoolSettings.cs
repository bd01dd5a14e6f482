namespace Mesh.Proxy.L4.Model;

/// <summary>A cluster's DestinationRule <c>connectionPool.tcp</c> as the L4 proxy applies it.</summary>
internal sealed record L4PoolSettings
{
    /// <summary>Istio's (Envoy's) default connect timeout.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Istio's default idle timeout of TCP connections.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromHours(1);

    public static L4PoolSettings Default { get; } = new();

    /// <summary>0: unlimited (Envoy's default is 1024 per cluster for HTTP pools; Istio leaves TCP unlimited in practice).</summary>
    public int MaxConnections { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;

    /// <summary>No byte either way for this long closes both sides; null: never.</summary>
    public TimeSpan? IdleTimeout { get; init; } = DefaultIdleTimeout;

    /// <summary>Connections are closed after this long whatever they do; null: never.</summary>
    public TimeSpan? MaxConnectionDuration { get; init; }

    /// <summary>SO_KEEPALIVE on upstream sockets; null: off.</summary>
    public L4Keepalive? Keepalive { get; init; }
}

/// <summary>TCP keepalive probes; null fields keep the operating system's defaults.</summary>
internal sealed record L4Keepalive(int? Probes, TimeSpan? Time, TimeSpan? Interval);
