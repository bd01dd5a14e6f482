namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Gives memory back to the operating system after the configuration shrank a lot (a large file
/// removed). Once the snapshots built from the old configuration are replaced, they and the old
/// model are garbage — but a control plane at rest allocates too little to start a full
/// collection, so the process kept the memory it peaked at (measured: 5 MB of YAML applied and
/// removed, RSS stayed at the peak). One aggressive, compacting collection after the proxies have
/// been sent the smaller snapshots returns it; it is rare by construction (the configuration must
/// have dropped by at least <see cref="MinimumDrop"/> and to half its peak).
/// </summary>
internal sealed partial class MemoryReclaimer
{
    /// <summary>Smaller drops are not worth a blocking collection.</summary>
    public const long MinimumDrop = 1024 * 1024;

    private readonly TimeProvider _time;
    private readonly TimeSpan _delay;
    private readonly ILogger<MemoryReclaimer> _logger;
    private readonly Lock _gate = new();
    private long _peakBytes;
    private ITimer? _scheduled;
    private int _reclaims;

    /// <param name="delay">How long after the push round to collect: by then the proxies' writers have sent the new snapshots and dropped the old ones.</param>
    public MemoryReclaimer(TimeProvider time, TimeSpan delay, ILogger<MemoryReclaimer> logger)
    {
        _time = time;
        _delay = delay;
        _logger = logger;
    }

    /// <summary>Collections run so far (diagnostics and tests).</summary>
    public int Reclaims => Volatile.Read(ref _reclaims);

    /// <summary>A push round sent snapshots of a configuration of <paramref name="sourceBytes"/> bytes of YAML.</summary>
    public void Pushed(long sourceBytes)
    {
        lock (_gate)
        {
            _peakBytes = Math.Max(_peakBytes, sourceBytes);
            if (_peakBytes - sourceBytes < MinimumDrop || sourceBytes > _peakBytes / 2)
            {
                return;
            }

            LogScheduled(_logger, _peakBytes, sourceBytes);
            _peakBytes = sourceBytes;
            _scheduled?.Dispose();
            _scheduled = _time.CreateTimer(_ => Collect(), null, _delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void Collect()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _reclaims);
        LogCollected(_logger, before / (1024 * 1024), GC.GetGCMemoryInfo().TotalCommittedBytes / (1024 * 1024));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The configuration shrank from {PeakBytes} to {Bytes} bytes of YAML; returning the memory of the old one once its snapshots are replaced")]
    private static partial void LogScheduled(ILogger logger, long peakBytes, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Returned memory after a smaller configuration: GC heap committed {BeforeMiB} MiB -> {AfterMiB} MiB")]
    private static partial void LogCollected(ILogger logger, long beforeMiB, long afterMiB);
}
