namespace Mesh.Proxy.Core.Routing;

/// <summary>How an upstream attempt failed when it produced no response.</summary>
public enum UpstreamFailure
{
    /// <summary>The connection could not be established (refused, unreachable, connect timeout, DNS).</summary>
    ConnectFailure,

    /// <summary>The upstream reset or closed the stream/connection before response headers.</summary>
    Reset,

    /// <summary>HTTP/2 REFUSED_STREAM: the upstream did not process the request.</summary>
    RefusedStream,

    /// <summary>The per-try timeout fired.</summary>
    PerTryTimeout,
}
