namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Bounds how many discovery streams write a snapshot at the same time (istiod's push throttle).
/// gRPC serializes a whole message into the stream's HTTP/2 output buffer before flow control
/// applies, so without a bound N proxies that read slowly hold N copies of their snapshot in
/// memory at once (measured: 5,000 proxies x 0.75 MB grew the control plane to 5 GB; 10,000 x
/// 1.5 MB was OOM-killed). With one slot per write at most <see cref="Slots"/> messages sit in
/// output buffers, whatever the number of proxies; the others wait in arrival order, and each
/// proxy's pending slot keeps only its latest snapshot, taken when its turn comes (a queued
/// proxy never gets a stale version). A write not completed within <see cref="HoldTimeout"/>
/// gives its slot up: the stream is closed with the reason (which frees its buffered bytes) and
/// the proxy reconnects, so a stuck proxy delays the others by that long at most.
/// </summary>
internal sealed class PushThrottle
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeProvider _time;
    private long _bytesInFlight;
    private long _peakBytesInFlight;
    private int _writing;
    private int _peakWriting;
    private int _waiting;

    public PushThrottle(int slots, TimeSpan holdTimeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(holdTimeout, TimeSpan.Zero);
        Slots = slots;
        HoldTimeout = holdTimeout;
        _time = time;
        _slots = new SemaphoreSlim(slots, slots);
    }

    public int Slots { get; }

    public TimeSpan HoldTimeout { get; }

    /// <summary>Writes in progress (at most <see cref="Slots"/>).</summary>
    public int Writing => Volatile.Read(ref _writing);

    /// <summary>Streams waiting for a slot.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Bytes of the writes in progress: what sits in output buffers because of pushes.</summary>
    public long BytesInFlight => Interlocked.Read(ref _bytesInFlight);

    /// <summary>The most bytes ever in flight at once (diagnostics and tests).</summary>
    public long PeakBytesInFlight => Interlocked.Read(ref _peakBytesInFlight);

    /// <summary>The most writes ever in progress at once (diagnostics and tests).</summary>
    public int PeakWriting => Volatile.Read(ref _peakWriting);

    /// <summary>Waits for a free slot (in arrival order).</summary>
    public async Task<PushSlot> AcquireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new PushSlot(this);
    }

    internal void Started(long bytes)
    {
        var writing = Interlocked.Increment(ref _writing);
        var inFlight = Interlocked.Add(ref _bytesInFlight, bytes);
        RaiseTo(ref _peakWriting, writing);
        RaiseTo(ref _peakBytesInFlight, inFlight);
    }

    internal void Released(long bytes, bool started)
    {
        if (started)
        {
            Interlocked.Decrement(ref _writing);
            Interlocked.Add(ref _bytesInFlight, -bytes);
        }

        _slots.Release();
    }

    internal ITimer StartTimer(Action expired) =>
        _time.CreateTimer(static state => ((Action)state!)(), expired, HoldTimeout, Timeout.InfiniteTimeSpan);

    private static void RaiseTo(ref int peak, int value)
    {
        for (var current = Volatile.Read(ref peak); value > current; current = Volatile.Read(ref peak))
        {
            if (Interlocked.CompareExchange(ref peak, value, current) == current)
            {
                return;
            }
        }
    }

    private static void RaiseTo(ref long peak, long value)
    {
        for (var current = Interlocked.Read(ref peak); value > current; current = Interlocked.Read(ref peak))
        {
            if (Interlocked.CompareExchange(ref peak, value, current) == current)
            {
                return;
            }
        }
    }
}

/// <summary>
/// One stream's turn to write. Released exactly once: when the write completes (dispose) or
/// when the hold timeout expires first (then the stream is closed through the given action).
/// </summary>
internal sealed class PushSlot : IDisposable
{
    private readonly PushThrottle _throttle;
    private ITimer? _timer;
    private long _bytes;
    private bool _started;
    private int _released;

    internal PushSlot(PushThrottle throttle) => _throttle = throttle;

    /// <summary>The write of <paramref name="bytes"/> begins; <paramref name="tooSlow"/> runs if it outlives the hold timeout.</summary>
    public void Start(long bytes, Action<string> tooSlow)
    {
        _bytes = bytes;
        _started = true;
        _throttle.Started(bytes);
        _timer = _throttle.StartTimer(() =>
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                // Close first: aborting the stream frees its buffered bytes before the next write takes the slot.
                tooSlow($"the proxy has not taken a {_bytes}-byte snapshot within {_throttle.HoldTimeout.TotalSeconds:0.#} s; its push slot goes to the next proxy");
                _throttle.Released(_bytes, _started);
            }
        });
    }

    public void Dispose()
    {
        _timer?.Dispose();
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _throttle.Released(_bytes, _started);
        }
    }
}
