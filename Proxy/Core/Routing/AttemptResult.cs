namespace Mesh.Proxy.Core.Routing;

/// <summary>What the response classifier concluded about the current upstream attempt.</summary>
internal enum AttemptResult
{
    /// <summary>No response seen (yet), or the response is final.</summary>
    None,

    /// <summary>A retriable response whose body was suppressed: the attempt loop retries.</summary>
    RetrySuppressed,

    /// <summary>A retriable response passed through because no retry is left.</summary>
    RetriableExhausted,
}
