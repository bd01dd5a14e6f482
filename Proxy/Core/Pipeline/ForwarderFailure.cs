namespace Mesh.Proxy.Core.Pipeline;

/// <summary>What an upstream attempt's forwarder error means for retries, flags and the reply.</summary>
internal enum ForwarderFailure
{
    /// <summary>Not an upstream failure the mesh maps (YARP's own status stands).</summary>
    Other,
    ConnectFailure,
    Reset,
    RefusedStream,
    Timeout,
    NoHealthyUpstream,

    /// <summary>The caller went away or sent a broken request body.</summary>
    Downstream,

    /// <summary>The upstream failed after the response had started streaming to the caller.</summary>
    UpstreamAfterResponseStarted,
}
