namespace Mesh.ControlPlane.Console;

/// <summary>What the console page shows, as <c>GET /console/api/overview</c> serves it (snake_case JSON).</summary>
internal sealed record MeshConsoleOverview
{
    public required DateTimeOffset GeneratedAt { get; init; }
    public required double RateWindowSeconds { get; init; }
    public required ConsoleGraph Graph { get; init; }
    public required IReadOnlyList<ProxySyncRow> Proxies { get; init; }
    public required ConsoleConfig Config { get; init; }
}

internal sealed record ConsoleGraph(IReadOnlyList<ConsoleNode> Nodes, IReadOnlyList<ConsoleEdge> Edges);

/// <summary>A workload at one version (or "unknown": traffic from outside the mesh).</summary>
internal sealed record ConsoleNode
{
    public required string Id { get; init; }
    public required string Workload { get; init; }
    public required string Namespace { get; init; }
    public required string App { get; init; }
    public required string Version { get; init; }

    /// <summary>"sidecar", "gateway", "workload" (seen in traffic, no proxy connected) or "unknown".</summary>
    public required string Kind { get; init; }

    /// <summary>Requests per second arriving at this node (sum of its inbound edges).</summary>
    public double RequestsPerSecond { get; init; }
}

internal sealed record ConsoleEdge
{
    public required string Source { get; init; }
    public required string Destination { get; init; }

    /// <summary>Which side's report the edge shows: "destination" unless only the caller's proxy reported it.</summary>
    public required string Reporter { get; init; }
    public required IReadOnlyList<string> Services { get; init; }
    public required string Protocol { get; init; }

    /// <summary>"mutual_tls", "none", "mixed", or "unknown" (only the caller reported it).</summary>
    public required string Security { get; init; }
    public required double RequestsPerSecond { get; init; }

    /// <summary>Share of requests in the window that did not fail (5xx, no response, gRPC error); null without requests.</summary>
    public double? SuccessRate { get; init; }
    public double? P50Ms { get; init; }
    public double? P99Ms { get; init; }
    public long WindowRequests { get; init; }
    public double WindowSeconds { get; init; }
    public long TotalRequests { get; init; }
}

/// <summary>A connected proxy's config sync (istioctl proxy-status) and whether its statistics could be read.</summary>
internal sealed record ProxySyncRow
{
    public required string Id { get; init; }
    public required string Workload { get; init; }
    public required string Namespace { get; init; }
    public required string Kind { get; init; }

    /// <summary>SYNCED, PENDING (sent moments ago), STALE or NACKED.</summary>
    public required string Status { get; init; }
    public string? SentVersion { get; init; }
    public string? AckedVersion { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? NackError { get; init; }
    public string? BuildError { get; init; }
    public string? StatsError { get; init; }
    public DateTimeOffset? StatsAt { get; init; }

    /// <summary>Requests per second this proxy received for its workload (one replica's share); null without statistics.</summary>
    public double? InboundRequestsPerSecond { get; init; }

    /// <summary>Share of those requests in the window that did not fail; null without requests.</summary>
    public double? InboundSuccessRate { get; init; }

    /// <summary>Requests this proxy received since it started.</summary>
    public long InboundRequests { get; init; }
}

internal sealed record ConsoleConfig
{
    /// <summary>False until a configuration was accepted or restored (nothing is pushed until then).</summary>
    public required bool Accepted { get; init; }
    public required long Generation { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    public required string AcceptedFrom { get; init; }
    public required bool FilesInSync { get; init; }

    /// <summary>The last refused change, until a later change is accepted; null when none.</summary>
    public ConsoleRejection? Rejection { get; init; }

    /// <summary>Every source refused now (a file, a Kubernetes object), with its errors.</summary>
    public IReadOnlyList<ConsoleRejection> Rejected { get; init; } = [];
    public required IReadOnlyList<ConfigObjectRow> Objects { get; init; }
}

internal sealed record ConsoleRejection(DateTimeOffset At, string Source, IReadOnlyList<string> Errors);

internal sealed record ConfigObjectRow
{
    public required string Kind { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required string Source { get; init; }
    public long? Generation { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// "valid" (serving), "invalid_change" (serving its last valid version; a newer change of it
    /// was refused) or "invalid" (refused, not serving).
    /// </summary>
    public required string Validation { get; init; }
    public IReadOnlyList<string> Errors { get; init; } = [];
}
