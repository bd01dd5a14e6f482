namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>Settings of one control-plane simulation.</summary>
public sealed record SimulatorOptions
{
    public required Uri GrpcUrl { get; init; }

    public required Uri AdminUrl { get; init; }

    public int Proxies { get; init; } = 100;

    /// <summary>Services the proxies are replicas of (0 = one per 20 proxies, at least 5).</summary>
    public int Services { get; init; }

    /// <summary>Discovery streams multiplexed on one HTTP/2 connection (Kestrel allows 100 by default).</summary>
    public int StreamsPerConnection { get; init; } = 100;

    /// <summary>Config changes applied and timed one after another.</summary>
    public int Changes { get; init; } = 5;

    /// <summary>The control plane's pid, for its CPU and memory from /proc (0 = not measured).</summary>
    public int ControlPlanePid { get; init; }

    /// <summary>Quiet time that marks the end of the connection storm (no snapshot pushed to anyone).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Sidecar egress scoping: one Sidecar per service selecting its workloads, importing only
    /// itself, the service it calls and svc-0 (the one the changes move), so each proxy sees 3
    /// services instead of all.
    /// </summary>
    public bool SidecarScope { get; init; }

    /// <summary>
    /// Proxies that do not accept compressed deltas (an empty <c>Hello.accept_encodings</c>), to
    /// compare with what real proxies do: accept zlib.
    /// </summary>
    public bool Uncompressed { get; init; }

    /// <summary>Endpoint churn after the changes: one replica joins or leaves every interval (zero = no churn phase).</summary>
    public TimeSpan ChurnInterval { get; init; }

    public TimeSpan ChurnDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Each discovery stream's HTTP/2 receive window at the start (SocketsHttpHandler's
    /// InitialHttp2StreamWindowSize), as the proxy's discovery client sets it.
    /// </summary>
    public int StreamWindowBytes { get; init; } = DiscoveryStreamWindow.Bytes;

    public int EffectiveServices => Services > 0 ? Services : Math.Max(5, Proxies / 20);

    /// <summary>HTTP/2 connections the streams are spread over (10,000 proxies: 100 connections of 100 streams).</summary>
    public int Connections => (Proxies + StreamsPerConnection - 1) / StreamsPerConnection;
}
