using System.Threading.Channels;
using Grpc.Core;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// One proxy's discovery stream: its identity, the push slot (at most one pending snapshot,
/// latest wins) drained by a single writer, and the ACK/NACK bookkeeping behind proxy-status.
/// </summary>
internal sealed class ProxyConnection
{
    private readonly Lock _gate = new();
    private readonly Channel<bool> _wakeWriter = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly ProxyConnectionOptions _options;
    private readonly Action<string> _close;

    private string? _offeredVersion;
    private SnapshotInputsOrder _offeredInputs;
    private SnapshotPayload? _pending;
    private long? _writeStartedAt;
    private SnapshotPayload? _sent;
    private readonly byte[] _nodeField;
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
    private bool _closed;

    /// <param name="close">Ends the stream (e.g. aborts the HTTP/2 stream) with a reason for the log.</param>
    public ProxyConnection(Node node, ProxyConnectionOptions options, Action<string> close)
    {
        Node = node;
        Shape = NodeShape.Canonical(node);
        ShapeKey = NodeShape.Key(Shape);
        _nodeField = SnapshotPayload.EncodeNodeField(node);
        _options = options;
        _close = close;
        ConnectedSince = options.Time.GetUtcNow();
    }

    public string Id => Node.Id;

    public Node Node { get; }

    /// <summary>The node without its id: the snapshot build input shared with same-shaped proxies.</summary>
    public Node Shape { get; }

    public string ShapeKey { get; }

    public DateTimeOffset ConnectedSince { get; }

    /// <summary>True while a write to the stream has not completed (a slow or stuck proxy; diagnostics and tests).</summary>
    public bool IsWriting
    {
        get
        {
            lock (_gate)
            {
                return _writeStartedAt is not null;
            }
        }
    }

    /// <summary>The snapshot most recently handed to the stream, or null before the first push.</summary>
    public ProxySnapshot? LastSent
    {
        get
        {
            SnapshotPayload? sent;
            lock (_gate)
            {
                sent = _sent;
            }

            return sent?.Snapshot;
        }
    }

    /// <summary>
    /// Queues a shared snapshot for this proxy unless it already has (or is getting) that version.
    /// A newer snapshot replaces one still waiting; one built from older inputs than the last
    /// offer (a connect racing a push round) is ignored, so a proxy never goes back in time.
    /// If the proxy has not taken the previous write for longer than the slow-proxy timeout,
    /// the stream is closed so it reconnects and resyncs.
    /// </summary>
    public void Offer(SharedSnapshot shared, SnapshotInputsOrder inputs)
    {
        bool tooSlow;
        lock (_gate)
        {
            if (_closed || inputs.CompareTo(_offeredInputs) < 0)
            {
                return;
            }

            _offeredInputs = inputs;
            if (shared.Version == _offeredVersion)
            {
                return;
            }

            _offeredVersion = shared.Version;
            _pending = new SnapshotPayload(shared, Node, _nodeField);
            _buildError = null;
            tooSlow = _writeStartedAt is { } started && _options.Time.GetElapsedTime(started) > _options.SlowProxyTimeout;
            _closed |= tooSlow;
        }

        if (tooSlow)
        {
            _close($"the proxy has not read a snapshot for more than {_options.SlowProxyTimeout.TotalSeconds:0.#} s while a newer one waits");
            return;
        }

        _wakeWriter.Writer.TryWrite(true);
    }

    /// <summary>Records that this proxy's snapshot could not be built (shown in proxy-status).</summary>
    public void OnBuildFailed(string error)
    {
        lock (_gate)
        {
            _buildError = error;
        }
    }

    /// <summary>Writes queued snapshots until the stream ends; the only writer of the stream.</summary>
    public async Task RunWriterAsync(IAsyncStreamWriter<SnapshotPayload> stream, CancellationToken cancellationToken)
    {
        while (await _wakeWriter.Reader.WaitToReadAsync(cancellationToken))
        {
            _wakeWriter.Reader.TryRead(out _);
            SnapshotPayload? next;
            lock (_gate)
            {
                next = _pending;
                _pending = null;
                if (next is null)
                {
                    continue;
                }

                _writeStartedAt = _options.Time.GetTimestamp();
                _sent = next;
                _sentAt = _options.Time.GetUtcNow();
                _firstSentAt ??= _sentAt;
                _latestRejected = false;
            }

            await stream.WriteAsync(next, cancellationToken);

            lock (_gate)
            {
                _writeStartedAt = null;
            }
        }
    }

    public void OnAck(string version)
    {
        lock (_gate)
        {
            _ackedVersion = version;
            _ackedAt = _options.Time.GetUtcNow();
            if (version == _sent?.Version)
            {
                _latestRejected = false;
            }
        }
    }

    public void OnNack(string version, string error)
    {
        lock (_gate)
        {
            _nackedVersion = version;
            _nackError = error;
            _nackedAt = _options.Time.GetUtcNow();
            if (version == _sent?.Version)
            {
                _latestRejected = true;
            }
        }
    }

    /// <summary>The listeners the proxy reports it could not bind (replaces the previous report).</summary>
    public void OnListenerStatus(IReadOnlyList<ListenerFailureModel> failures)
    {
        lock (_gate)
        {
            _listenerFailures = failures;
        }
    }

    public void MarkClosed()
    {
        lock (_gate)
        {
            _closed = true;
            _pending = null;
        }

        _wakeWriter.Writer.TryComplete();
    }

    public ProxyStatusModel GetStatus()
    {
        lock (_gate)
        {
            return new ProxyStatusModel
            {
                Id = Id,
                Node = Node,
                Kind = Node.Mode == ProxyMode.Gateway ? "gateway" : "sidecar",
                ConnectedSince = ConnectedSince,
                Status = ComputeStatus(),
                SentVersion = _sent?.Version,
                SentAt = _sentAt,
                FirstSentAt = _firstSentAt,
                SentConfigGeneration = _sent?.Shared.Snapshot.ConfigGeneration,
                AckedVersion = _ackedVersion,
                AckedAt = _ackedAt,
                NackedVersion = _nackedVersion,
                NackError = _nackError,
                NackedAt = _nackedAt,
                BuildError = _buildError,
                ListenerFailures = _listenerFailures,
            };
        }
    }

    private ProxySyncStatus ComputeStatus()
    {
        if (_sent is null || _sentAt is null)
        {
            return ProxySyncStatus.Stale;
        }

        if (_latestRejected)
        {
            return ProxySyncStatus.Nacked;
        }

        if (_ackedVersion == _sent.Version)
        {
            return ProxySyncStatus.Synced;
        }

        return _options.Time.GetUtcNow() - _sentAt.Value < _options.AckTimeout ? ProxySyncStatus.Pending : ProxySyncStatus.Stale;
    }
}

/// <summary>Timing policy of a <see cref="ProxyConnection"/>.</summary>
internal sealed record ProxyConnectionOptions(TimeSpan SlowProxyTimeout, TimeSpan AckTimeout, TimeProvider Time);
