namespace Mesh.Proxy.L4.Proxying;

/// <summary>How one direction of a relayed connection ended.</summary>
internal enum RelayEnd
{
    /// <summary>Its sender finished (end of stream), passed on as a half-close.</summary>
    Finished,

    /// <summary>The caller's side failed (reset, or writing to it failed).</summary>
    DownstreamFailed,

    /// <summary>The upstream's side failed.</summary>
    UpstreamFailed,

    /// <summary>The proxy stopped the connection (idle timeout, maximum duration, shutdown).</summary>
    Stopped,
}
