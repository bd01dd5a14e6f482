using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// What one proxy's stream sent, when, and how the proxy answered — the record behind
/// proxy-status (<see cref="ProxySyncStatus"/>, the blocked write). It has no lock of its own:
/// its <see cref="ProxyConnection"/> calls it only under the connection's one lock, so a status
/// always sees the writer's pending snapshot and this record at the same instant.
/// </summary>
internal sealed class ProxySyncRecord(ProxyConnectionOptions options)
{
    private DateTimeOffset? _offeredAt;
    private DateTimeOffset? _writeStartedAt;
    private long _writeBytes;
    private DateTimeOffset? _sentAt;
    private DateTimeOffset? _firstSentAt;
    private string? _ackedVersion;
    private DateTimeOffset? _ackedAt;
    private string? _nackedVersion;
    private string? _nackError;
    private DateTimeOffset? _nackedAt;
    private bool _latestRejected;
    private string? _buildError;
    private IReadOnlyList<ListenerFailureModel> _listenerFailures = [];
    private long? _unchangedThrough;

    /// <summary>The snapshot most recently handed to the stream, or null before the first write.</summary>
    public SnapshotPayload? Sent { get; private set; }

    /// <summary>The version the stream named <see cref="Sent"/> by (what the proxy acknowledges).</summary>
    public string? SentVersion { get; private set; }

    /// <summary>True while a write to the stream has not completed.</summary>
    public bool IsWriting => _writeStartedAt is not null;

    /// <summary>A new snapshot waits for the writer (a new build also clears an earlier build failure).</summary>
    public void Offered()
    {
        _offeredAt = options.Time.GetUtcNow();
        _buildError = null;
        _unchangedThrough = null;
    }

    /// <summary>A build from config <paramref name="generation"/> came out as the version last offered: nothing to send, but that generation is covered too.</summary>
    public void OfferedUnchanged(long generation) => _unchangedThrough = Math.Max(_unchangedThrough ?? generation, generation);

    public void BuildFailed(string error) => _buildError = error;

    /// <summary>The writer hands <paramref name="sent"/>, named <paramref name="version"/>, to the stream.</summary>
    public void WriteStarted(SnapshotPayload sent, string version, long bytes)
    {
        var now = options.Time.GetUtcNow();
        _writeStartedAt = now;
        _writeBytes = bytes;
        Sent = sent;
        SentVersion = version;
        _sentAt = now;
        _firstSentAt ??= now;
        _latestRejected = false;
    }

    public void WriteCompleted() => _writeStartedAt = null;

    public void Acked(string version)
    {
        _ackedVersion = version;
        _ackedAt = options.Time.GetUtcNow();
        if (version == SentVersion)
        {
            _latestRejected = false;
        }
    }

    /// <summary>A NACK; with <paramref name="resync"/> it asks for the complete state rather than rejecting the configuration.</summary>
    public void Nacked(string version, string error, bool resync)
    {
        _nackedVersion = version;
        _nackError = error;
        _nackedAt = options.Time.GetUtcNow();
        if (version == SentVersion && !resync)
        {
            _latestRejected = true;
        }
    }

    public void ListenerStatus(IReadOnlyList<ListenerFailureModel> failures) => _listenerFailures = failures;

    /// <summary>The proxy's status; <paramref name="pending"/>: a newer snapshot waits for the writer or a push slot.</summary>
    public ProxyStatusModel Status(ProxyConnection connection, bool pending) => new()
    {
        Id = connection.Id,
        Node = connection.Node,
        Kind = connection.Node.Mode == ProxyMode.Gateway ? "gateway" : "sidecar",
        ConnectedSince = connection.ConnectedSince,
        Status = ComputeStatus(pending),
        SentVersion = SentVersion,
        SentAt = _sentAt,
        FirstSentAt = _firstSentAt,
        SentConfigGeneration = Sent?.Shared.Snapshot.ConfigGeneration,
        // While a newer snapshot waits, the unchanged builds were of that one, not of the sent one.
        CurrentConfigGeneration = Sent?.Shared.Snapshot.ConfigGeneration is { } sent && !pending && _unchangedThrough is { } through ? Math.Max(sent, through) : Sent?.Shared.Snapshot.ConfigGeneration,
        AckedVersion = _ackedVersion,
        AckedAt = _ackedAt,
        NackedVersion = _nackedVersion,
        NackError = _nackError,
        NackedAt = _nackedAt,
        BuildError = _buildError,
        ListenerFailures = _listenerFailures,
        BlockedWrite = BlockedWrite(),
    };

    // A write the proxy has not taken for longer than the ACK timeout: it stopped reading its
    // stream (the write holds one push slot until the slow-proxy timeout closes the stream).
    private BlockedWriteModel? BlockedWrite() =>
        _writeStartedAt is { } since && options.Time.GetUtcNow() - since >= options.AckTimeout
            ? new BlockedWriteModel(since, _writeBytes)
            : null;

    private ProxySyncStatus ComputeStatus(bool pending)
    {
        // A newer snapshot waiting for the writer or a push slot: whatever the proxy acknowledged
        // before is not what it should serve now.
        if (pending && _offeredAt is { } offeredAt)
        {
            return options.Time.GetUtcNow() - offeredAt < options.AckTimeout ? ProxySyncStatus.Pending : ProxySyncStatus.Stale;
        }

        if (Sent is null || _sentAt is null)
        {
            return ProxySyncStatus.Stale;
        }

        if (_latestRejected)
        {
            return ProxySyncStatus.Nacked;
        }

        if (_ackedVersion == SentVersion)
        {
            return ProxySyncStatus.Synced;
        }

        return options.Time.GetUtcNow() - _sentAt.Value < options.AckTimeout ? ProxySyncStatus.Pending : ProxySyncStatus.Stale;
    }
}
