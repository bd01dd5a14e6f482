using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>What one <c>mesh-bench tcp-load</c> measurement saw over its measured window.</summary>
public sealed record TcpLoadResult
{
    public required string Mode { get; init; }

    public double Seconds { get; init; }

    /// <summary>Bulk: payload bytes that came back through the path (each crossed it twice: out and echoed).</summary>
    public long Bytes { get; init; }

    /// <summary>Connect: connections opened, answered (1 byte echoed) and closed.</summary>
    public long Connections { get; init; }

    /// <summary>Failed connections or transfers (connect errors, resets, short echoes).</summary>
    public long Errors { get; init; }

    /// <summary>Echo: latencies of 1-byte round trips from their scheduled send time.</summary>
    public LatencySummary? Latency { get; init; }

    public string? FirstError { get; init; }

    public double MegabytesPerSecond => Seconds > 0 ? Bytes / 1e6 / Seconds : 0;

    public double ConnectionsPerSecond => Seconds > 0 ? Connections / Seconds : 0;
}
