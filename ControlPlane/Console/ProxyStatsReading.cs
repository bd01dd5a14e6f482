using System.Text.Json.Serialization;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// One reading of a proxy's <c>GET /stats</c> (its cumulative traffic per graph edge since the
/// proxy started). The console turns two readings into rates and percentiles.
/// </summary>
internal sealed record ProxyStatsReading
{
    public required StatsNode Node { get; init; }

    [JsonPropertyName("started_at")]
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The proxy's clock when it wrote the reading (intervals use the proxy's own clock).</summary>
    public required DateTimeOffset Now { get; init; }

    [JsonPropertyName("edges_dropped")]
    public long EdgesDropped { get; init; }

    [JsonPropertyName("latency_bounds_ms")]
    public required double[] LatencyBoundsMs { get; init; }

    public required IReadOnlyList<StatsEdge> Edges { get; init; }

    /// <summary>The reading a proxy would have given at its start: every counter zero.</summary>
    public ProxyStatsReading AtStart() => this with { Now = StartedAt, Edges = [] };
}

internal sealed record StatsNode
{
    public string Id { get; init; } = "";
    public string Workload { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string App { get; init; } = "";
    public string Version { get; init; } = "";
    public string Mode { get; init; } = "sidecar";
}

internal sealed record StatsWorkload
{
    public string Workload { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string App { get; init; } = "";
    public string Version { get; init; } = "";
}

internal sealed record StatsEdge
{
    /// <summary>"source" (the client side of the hop) or "destination" (the server side).</summary>
    public required string Reporter { get; init; }
    public required StatsWorkload Source { get; init; }
    public required StatsWorkload Destination { get; init; }

    [JsonPropertyName("destination_service")]
    public string DestinationService { get; init; } = "";

    public string Protocol { get; init; } = "http";

    [JsonPropertyName("security_policy")]
    public string SecurityPolicy { get; init; } = "unknown";

    public long Requests { get; init; }
    public long Errors { get; init; }

    [JsonPropertyName("duration_ms_sum")]
    public double DurationMsSum { get; init; }

    [JsonPropertyName("latency_counts")]
    public long[] LatencyCounts { get; init; } = [];

    [JsonPropertyName("request_bytes")]
    public long RequestBytes { get; init; }

    [JsonPropertyName("response_bytes")]
    public long ResponseBytes { get; init; }

    /// <summary>The fields that identify the edge within one proxy's reading.</summary>
    [JsonIgnore]
    public string Key => string.Join('|', Reporter, Source.Namespace, Source.Workload, Source.Version,
        Destination.Namespace, Destination.Workload, Destination.Version, DestinationService, Protocol, SecurityPolicy);
}
