using System.Globalization;
using System.Threading.Channels;
using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// One proxy's discovery stream: its identity and the push slot (at most one pending snapshot,
/// latest wins) drained by a single writer; what was sent and answered, behind proxy-status, is
/// its <see cref="ProxySyncRecord"/>, guarded by the same lock.
/// On the incremental stream (<see cref="EnableDeltas"/>) the writer sends the change from what
/// the proxy holds to the pending snapshot, and waits for the answer to one delta before
/// computing the next (changes arriving meanwhile merge into it).
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
    private readonly ProxySyncRecord _sync;
    private readonly byte[] _nodeField;
    private SnapshotPayload? _pending;
    private DeltaStreamState? _delta;
    private bool _awaitingAnswer;
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
        _sync = new ProxySyncRecord(options);
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
                return _sync.IsWriting;
            }
        }
    }

    /// <summary>
    /// True when nothing is under way for this proxy: no snapshot waiting, no write in progress,
    /// no delta unanswered (the in-process push-cost measurement waits for this).
    /// </summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _pending is null && !_sync.IsWriting && !_awaitingAnswer;
            }
        }
    }

    /// <summary>The config generation of the snapshot waiting for the writer, if any (diagnostics and tests).</summary>
    public long? PendingConfigGeneration
    {
        get
        {
            lock (_gate)
            {
                return _pending?.Shared.Snapshot.ConfigGeneration;
            }
        }
    }

    /// <summary>
    /// The snapshot most recently handed to the stream, or null before the first push, with the
    /// version the stream named it by (what the proxy acknowledges): on the incremental stream the
    /// composite version of its resources, which a builder that versions its snapshots otherwise
    /// (a test's stand-in) does not set.
    /// </summary>
    public ProxySnapshot? LastSent
    {
        get
        {
            SnapshotPayload? sent;
            string? version;
            lock (_gate)
            {
                sent = _sync.Sent;
                version = _sync.SentVersion;
            }

            if (sent?.Snapshot is not { } snapshot || version is null || snapshot.Version == version)
            {
                return sent?.Snapshot;
            }

            var named = ProxySnapshotCopier.ForNode(snapshot, snapshot.Node);
            named.Version = version;
            return named;
        }
    }

    /// <summary>
    /// Queues a shared snapshot for this proxy unless it already has (or is getting) that version.
    /// A newer snapshot replaces one still waiting (for the writer or for a push slot); one built
    /// from older inputs than the last offer (a connect racing a push round) is ignored, so a
    /// proxy never goes back in time.
    /// </summary>
    public void Offer(SharedSnapshot shared, SnapshotInputsOrder inputs)
    {
        lock (_gate)
        {
            if (_closed || inputs.CompareTo(_offeredInputs) < 0)
            {
                return;
            }

            _offeredInputs = inputs;
            if (shared.Version == _offeredVersion)
            {
                _sync.OfferedUnchanged(shared.Snapshot.ConfigGeneration);
                return;
            }

            _offeredVersion = shared.Version;
            _pending = new SnapshotPayload(shared, Node, _nodeField);
            _sync.Offered();
        }

        _wakeWriter.Writer.TryWrite(true);
    }

    /// <summary>Records that this proxy's snapshot could not be built (shown in proxy-status).</summary>
    public void OnBuildFailed(string error)
    {
        lock (_gate)
        {
            _sync.BuildFailed(error);
        }
    }

    /// <summary>Makes this an incremental stream: deltas start from what the proxy said it holds.</summary>
    /// <summary>Whether this proxy's incremental stream takes large deltas compressed (its Hello accepted zlib).</summary>
    public bool AcceptsCompressedDeltas
    {
        get
        {
            lock (_gate)
            {
                return _delta?.AcceptsZlib == true;
            }
        }
    }

    public void EnableDeltas(ResourceView held, SnapshotDeltaPlans plans, bool acceptsZlib = false)
    {
        lock (_gate)
        {
            _delta = new DeltaStreamState(held, plans, acceptsZlib);
        }
    }

    /// <summary>Writes full snapshots until the stream ends (StreamSnapshots); the only writer of the stream.</summary>
    public Task RunWriterAsync(IAsyncStreamWriter<SnapshotPayload> stream, CancellationToken cancellationToken) =>
        RunWriterAsync(stream, static (_, payload) => (payload, payload.Version, payload.Length), cancellationToken);

    /// <summary>Writes deltas until the stream ends (StreamDeltas); the only writer of the stream.</summary>
    public Task RunDeltaWriterAsync(IAsyncStreamWriter<DeltaPayload> stream, CancellationToken cancellationToken) =>
        RunWriterAsync(stream, static (connection, payload) => connection.NextDelta(payload), cancellationToken);

    /// <summary>
    /// Each write waits for a slot of the push throttle and takes the latest pending snapshot only
    /// then; a write the proxy does not take within the throttle's hold timeout closes the stream.
    /// </summary>
    private async Task RunWriterAsync<T>(
        IAsyncStreamWriter<T> stream,
        Func<ProxyConnection, SnapshotPayload, (T Message, string Version, long Length)> encode,
        CancellationToken cancellationToken)
    {
        while (await _wakeWriter.Reader.WaitToReadAsync(cancellationToken))
        {
            _wakeWriter.Reader.TryRead(out _);
            lock (_gate)
            {
                if (_pending is null || _awaitingAnswer)
                {
                    continue;
                }
            }

            using var slot = await _options.Throttle.AcquireAsync(cancellationToken);
            SnapshotPayload? next;
            lock (_gate)
            {
                next = _pending;
                _pending = null;
                if (next is null || _closed)
                {
                    continue;
                }
            }

            // Outside the lock: a delta plan not yet computed for this move is computed here.
            var (message, version, length) = encode(this, next);
            lock (_gate)
            {
                _sync.WriteStarted(next, version, length);
            }

            slot.Start(length, Close);
            await stream.WriteAsync(message, cancellationToken);

            lock (_gate)
            {
                _sync.WriteCompleted();
            }
        }
    }

    private (DeltaPayload Message, string Version, long Length) NextDelta(SnapshotPayload next)
    {
        var delta = _delta ?? throw new InvalidOperationException("not an incremental stream");

        // Held only changes on the answer to a delta in flight, and none is: reading it here is safe.
        var plan = delta.Plans.Get(delta.Held, EncodedSnapshot.Of(next.Shared.Snapshot), next.Shared.Snapshot.ConfigGeneration);
        string nonce;
        Node? node;
        lock (_gate)
        {
            nonce = (++delta.Nonces).ToString(CultureInfo.InvariantCulture);
            node = delta.NodeSent ? null : Node;
            delta.NodeSent = true;
            delta.InFlight = (nonce, plan);
            _awaitingAnswer = true;
        }

        var payload = new DeltaPayload(plan, nonce, node, delta.AcceptsZlib);
        return (payload, plan.Version, payload.Length);
    }

    private void Close(string reason)
    {
        lock (_gate)
        {
            _closed = true;
            _pending = null;
        }

        _close(reason);
    }

    /// <summary>An ACK; on the incremental stream it counts only as the answer to the delta in flight (its nonce).</summary>
    public void OnAck(string version, string nonce = "")
    {
        lock (_gate)
        {
            if (_delta is { } delta)
            {
                if (delta.InFlight is not { } inFlight || inFlight.Nonce != nonce)
                {
                    return;
                }

                delta.Held = ResourceView.Of(inFlight.Plan.Target);
                delta.InFlight = null;
                _awaitingAnswer = false;
            }

            _sync.Acked(version);
        }

        _wakeWriter.Writer.TryWrite(true);
    }

    /// <summary>
    /// A NACK; on the incremental stream only as the answer to the delta in flight. The proxy keeps
    /// what it held; with <paramref name="resync"/> the delta did not fit what it holds, so it is
    /// sent its complete latest state next (not a rejection of the configuration).
    /// </summary>
    public void OnNack(string version, string error, string nonce = "", bool resync = false)
    {
        lock (_gate)
        {
            if (_delta is { } delta)
            {
                if (delta.InFlight is not { } inFlight || inFlight.Nonce != nonce)
                {
                    return;
                }

                delta.InFlight = null;
                _awaitingAnswer = false;
                if (resync)
                {
                    delta.Held = ResourceView.Empty;
                    _pending ??= _sync.Sent;
                }
            }

            _sync.Nacked(version, error, resync);
        }

        _wakeWriter.Writer.TryWrite(true);
    }

    /// <summary>The listeners the proxy reports it could not bind (replaces the previous report).</summary>
    public void OnListenerStatus(IReadOnlyList<ListenerFailureModel> failures)
    {
        lock (_gate)
        {
            _sync.ListenerStatus(failures);
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
            return _sync.Status(this, pending: _pending is not null);
        }
    }
}

/// <summary>Timing policy of a <see cref="ProxyConnection"/>; the throttle's hold timeout is the slow-proxy timeout.</summary>
internal sealed record ProxyConnectionOptions(TimeSpan AckTimeout, TimeProvider Time, PushThrottle Throttle);
