namespace Mesh.ControlPlane.Console;

/// <summary>
/// The recent /stats readings of one proxy (oldest first), trimmed to what the rate window needs,
/// and the last failure to read it. Written by the poller only, read by API requests: guarded by a lock.
/// </summary>
internal sealed class ProxyStatsHistory
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, ProxyStatsReading Reading)> _readings = [];
    private string? _error;
    private DateTimeOffset? _errorAt;

    public void Add(DateTimeOffset at, ProxyStatsReading reading, TimeSpan keep)
    {
        lock (_gate)
        {
            _readings.Add((at, reading));
            _error = null;
            _errorAt = null;

            // Keep one reading older than the window as the baseline, drop the rest of the old ones.
            var cutoff = at - keep;
            while (_readings.Count > 2 && _readings[1].At <= cutoff)
            {
                _readings.RemoveAt(0);
            }
        }
    }

    public void Fail(DateTimeOffset at, string error)
    {
        lock (_gate)
        {
            _error = error;
            _errorAt = at;
        }
    }

    public string? Error
    {
        get
        {
            lock (_gate)
            {
                return _error;
            }
        }
    }

    public DateTimeOffset? LastReadAt
    {
        get
        {
            lock (_gate)
            {
                return _readings.Count == 0 ? _errorAt : _readings[^1].At;
            }
        }
    }

    /// <summary>
    /// The latest reading and, as baseline, the newest reading at least <paramref name="window"/>
    /// older (else the oldest kept one; see <see cref="ReadingPair.Of"/> for a first reading); null before any reading.
    /// </summary>
    public ReadingPair? Window(TimeSpan window)
    {
        lock (_gate)
        {
            if (_readings.Count == 0)
            {
                return null;
            }

            var (latestAt, latest) = _readings[^1];
            ProxyStatsReading? baseline = null;
            for (var i = _readings.Count - 2; i >= 0; i--)
            {
                baseline = _readings[i].Reading;
                if (_readings[i].At <= latestAt - window)
                {
                    break;
                }
            }

            return ReadingPair.Of(baseline, latest, window);
        }
    }
}
