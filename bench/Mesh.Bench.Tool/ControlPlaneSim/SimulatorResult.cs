namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>What one control-plane simulation measured (times in ms, sizes in bytes).</summary>
public sealed record SimulatorResult
{
    public int Proxies { get; init; }

    public int Services { get; init; }

    public int Connections { get; init; }

    /// <summary>Why the simulation stopped early (the control plane did not converge in time); null when complete.</summary>
    public string? Incomplete { get; init; }

    /// <summary>From opening the streams until every proxy had ACKed a first snapshot.</summary>
    public double AllConnectedMs { get; init; }

    /// <summary>Until the pushes caused by the joining proxies stopped (registry churn settled).</summary>
    public double ConvergedMs { get; init; }

    public long SnapshotsDuringConnect { get; init; }

    public int SnapshotBytesMedian { get; init; }

    public int SnapshotBytesMax { get; init; }

    public int SnapshotClusters { get; init; }

    public int SnapshotEndpoints { get; init; }

    public int SnapshotVirtualHosts { get; init; }

    public long ControlPlaneRssBeforeBytes { get; init; }

    public long ControlPlaneRssConnectedBytes { get; init; }

    public long ControlPlanePeakRssBytes { get; init; }

    public double RssPerProxyBytes { get; init; }

    public double ConnectCpuSeconds { get; init; }

    /// <summary>Control-plane CPU while N proxies are connected and nothing changes (keep-alive cost).</summary>
    public double IdleCpuPercent { get; init; }

    public IReadOnlyList<ChangeResult> Changes { get; init; } = [];

    /// <summary>True when each proxy was scoped to 3 services by a Sidecar (<c>--sidecar-scope</c>).</summary>
    public bool SidecarScoped { get; init; }

    /// <summary>The endpoint churn phase (<c>--churn-ms</c>), or null when not run.</summary>
    public ChurnResult? Churn { get; init; }

    public double AckP50Ms { get; init; }

    public double AckP99Ms { get; init; }

    public double AckMaxMs { get; init; }

    public double CpuMsPerChange { get; init; }

    public double CpuUsPerProxyPerChange { get; init; }

    /// <summary>Proxies the control plane itself reports SYNCED at the end (its /api/v1/proxies).</summary>
    public int SyncedPerControlPlane { get; init; }

    public double SimulatorCpuSeconds { get; init; }

    public int FailedProxies { get; init; }

    public string? FirstFailure { get; init; }

    /// <summary>Control-plane readings that failed (phase and reason); their figures are NaN or 0.</summary>
    public IReadOnlyList<string> MeasurementFailures { get; init; } = [];
}

/// <summary>One config change: how long until every proxy ACKed it, from just before the apply call.</summary>
public sealed record ChangeResult(long Generation, int Acked, int Missing, double P50Ms, double P99Ms, double MaxMs, double ApplyCallMs, double CpuSeconds, long BytesPushed);
