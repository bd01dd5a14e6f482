namespace Mesh.Proxy.L4.Model;

/// <summary>An endpoint's live counters (kept across snapshots while the endpoint stays in its cluster).</summary>
internal sealed class L4EndpointState
{
    private int _active;

    /// <summary>Connections open to the endpoint now (least-connections load balancing).</summary>
    public int Active => Volatile.Read(ref _active);

    public void Opened() => Interlocked.Increment(ref _active);

    public void Closed() => Interlocked.Decrement(ref _active);

    /// <summary>Guards the outlier fields below.</summary>
    public object Gate { get; } = new();

    public int ConsecutiveFailures { get; set; }

    public int Ejections { get; set; }

    /// <summary>TimeProvider timestamp until which the endpoint is ejected (0: not ejected).</summary>
    public long EjectedUntil { get; set; }

    /// <summary>When the last ejection ended, for decaying <see cref="Ejections"/>.</summary>
    public long ReturnedAt { get; set; }
}
