namespace Mesh.ControlPlane.Telemetry;

/// <summary>
/// When the snapshot inputs last changed (accepted config, registry, mesh settings): the start
/// of the push latency <see cref="ControlPlaneMetrics"/> measures. Keeps the most recent
/// <see cref="Capacity"/> change times; lock-protected, changes are rare.
/// </summary>
internal sealed class ChangeTimeline(TimeProvider time)
{
    public const int Capacity = 256;

    private readonly Lock _gate = new();
    private readonly DateTimeOffset[] _times = new DateTimeOffset[Capacity];
    private int _count;
    private int _next;

    public void Record() => Record(time.GetUtcNow());

    public void Record(DateTimeOffset at)
    {
        lock (_gate)
        {
            _times[_next] = at;
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    /// <summary>The latest change after <paramref name="after"/> and at or before <paramref name="until"/>, if any.</summary>
    public DateTimeOffset? LatestBetween(DateTimeOffset after, DateTimeOffset until)
    {
        lock (_gate)
        {
            DateTimeOffset? latest = null;
            for (var i = 0; i < _count; i++)
            {
                var at = _times[i];
                if (at > after && at <= until && (latest is null || at > latest))
                {
                    latest = at;
                }
            }

            return latest;
        }
    }
}
