namespace Mesh.Proxy.Telemetry.Stats;

/// <summary>
/// Cumulative counters of one graph edge since the proxy started, updated with interlocked
/// operations per request (no locks). The console turns two readings into rates and percentiles.
/// </summary>
internal sealed class EdgeStats
{
    private readonly long[] _latency = new long[LatencyBuckets.Count];
    private readonly long[] _byClass = new long[6];
    private long _requests;
    private long _errors;
    private long _durationMicros;
    private long _requestBytes;
    private long _responseBytes;
    private long _connectionsOpened;
    private long _connectionsClosed;
    private long _connectionsFailed;
    private long _bytesSent;
    private long _bytesReceived;

    public EdgeStats(EdgeKey key)
    {
        Key = key;
    }

    public EdgeKey Key { get; }

    public long Requests => Volatile.Read(ref _requests);

    public long Errors => Volatile.Read(ref _errors);

    public long DurationMicros => Volatile.Read(ref _durationMicros);

    public long RequestBytes => Volatile.Read(ref _requestBytes);

    public long ResponseBytes => Volatile.Read(ref _responseBytes);

    /// <param name="failed">5xx, no response, or a gRPC error status.</param>
    public void Record(int code, bool failed, double milliseconds, long requestBytes, long responseBytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _byClass[code is >= 100 and < 600 ? code / 100 : 0]);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }

        Interlocked.Increment(ref _latency[LatencyBuckets.IndexOf(milliseconds)]);
        Interlocked.Add(ref _durationMicros, (long)(milliseconds * 1000));
        if (requestBytes > 0)
        {
            Interlocked.Add(ref _requestBytes, requestBytes);
        }

        if (responseBytes > 0)
        {
            Interlocked.Add(ref _responseBytes, responseBytes);
        }
    }

    /// <summary>TCP edges: connections opened, closed, closed because of a failure (no route, upstream unreachable, refused by policy).</summary>
    public long ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    public long ConnectionsClosed => Volatile.Read(ref _connectionsClosed);

    public long ConnectionsFailed => Volatile.Read(ref _connectionsFailed);

    /// <summary>TCP edges: bytes sent to and received from the downstream.</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public void RecordTcpOpened() => Interlocked.Increment(ref _connectionsOpened);

    public void RecordTcpClosed(bool failed)
    {
        Interlocked.Increment(ref _connectionsClosed);
        if (failed)
        {
            Interlocked.Increment(ref _connectionsFailed);
        }
    }

    public void AddTcpBytes(long sent, long received)
    {
        if (sent > 0)
        {
            Interlocked.Add(ref _bytesSent, sent);
        }

        if (received > 0)
        {
            Interlocked.Add(ref _bytesReceived, received);
        }
    }

    /// <summary>Responses by status class: index 0 = no response, 1..5 = 1xx..5xx.</summary>
    public long ResponsesOfClass(int statusClass) => Volatile.Read(ref _byClass[statusClass]);

    public long LatencyCount(int bucket) => Volatile.Read(ref _latency[bucket]);
}
