using System.Collections.Concurrent;

namespace Mesh.Proxy.Telemetry.AccessLog;

/// <summary>
/// The hand-off from the request path to the access log writer: bounded and lock-free. When the
/// writer falls behind, new entries are dropped (and counted) rather than slowing requests down.
/// </summary>
internal sealed class AccessLogQueue
{
    public const int DefaultCapacity = 8192;

    private readonly ConcurrentQueue<AccessLogEntry> _entries = new();
    private readonly int _capacity;
    private int _count;
    private long _dropped;

    public AccessLogQueue(int capacity = DefaultCapacity)
    {
        _capacity = capacity;
    }

    public int Count => Volatile.Read(ref _count);

    public long Dropped => Interlocked.Read(ref _dropped);

    public bool TryEnqueue(in AccessLogEntry entry)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return false;
        }

        _entries.Enqueue(entry);
        return true;
    }

    public bool TryDequeue(out AccessLogEntry entry)
    {
        if (_entries.TryDequeue(out entry))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }
}
