using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Mutable runtime status of this proxy's configuration: the applied snapshot, the last
/// rejected one and the control plane connection (readiness, /config_dump, logs).
/// </summary>
internal sealed class SnapshotState
{
    private readonly TimeProvider _time;
    private AppliedSnapshot? _applied;
    private RejectedSnapshot? _lastRejected;
    private volatile bool _connected;

    public SnapshotState(TimeProvider time)
    {
        _time = time;
    }

    public sealed record AppliedSnapshot(ProxySnapshot Snapshot, DateTimeOffset AppliedAt);

    public sealed record RejectedSnapshot(string Version, string Error, DateTimeOffset RejectedAt);

    /// <summary>Ready once a first snapshot has been applied; stays ready while the control plane is away.</summary>
    public bool IsReady => Applied is not null;

    public AppliedSnapshot? Applied => Volatile.Read(ref _applied);

    public RejectedSnapshot? LastRejected => Volatile.Read(ref _lastRejected);

    public bool ControlPlaneConnected => _connected;

    internal void RecordApplied(ProxySnapshot snapshot) => Volatile.Write(ref _applied, new AppliedSnapshot(snapshot, _time.GetUtcNow()));

    internal void RecordRejected(string version, string error) => Volatile.Write(ref _lastRejected, new RejectedSnapshot(version, error, _time.GetUtcNow()));

    internal void SetConnected(bool connected) => _connected = connected;
}
