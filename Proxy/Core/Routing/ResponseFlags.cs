namespace Mesh.Proxy.Core.Routing;

/// <summary>Envoy's response flags: why a response is what it is (access logs, metrics).</summary>
[Flags]
public enum ResponseFlags
{
    None = 0,

    /// <summary>NR: no route (or virtual host) matched; also the BlackHoleCluster of REGISTRY_ONLY.</summary>
    NoRouteFound = 1 << 0,

    /// <summary>UH: the cluster has no healthy endpoint.</summary>
    NoHealthyUpstream = 1 << 1,

    /// <summary>UF: the upstream connection could not be established.</summary>
    UpstreamConnectionFailure = 1 << 2,

    /// <summary>UT: the route or per-try timeout fired.</summary>
    UpstreamRequestTimeout = 1 << 3,

    /// <summary>URX: the retry limit was reached with a retriable outcome.</summary>
    UpstreamRetryLimitExceeded = 1 << 4,

    /// <summary>UO: circuit breaking (connection pool overflow).</summary>
    UpstreamOverflow = 1 << 5,

    /// <summary>DI: fault injection delayed the request.</summary>
    DelayInjected = 1 << 6,

    /// <summary>FI: fault injection aborted the request.</summary>
    FaultInjected = 1 << 7,

    /// <summary>UC: the upstream connection or stream ended before a complete response.</summary>
    UpstreamConnectionTermination = 1 << 8,

    /// <summary>DC: the downstream (caller) went away.</summary>
    DownstreamConnectionTermination = 1 << 9,

    /// <summary>NC: no configuration (cluster) for the request yet.</summary>
    NoClusterFound = 1 << 10,
}
