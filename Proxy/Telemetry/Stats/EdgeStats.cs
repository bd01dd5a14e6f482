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

    /// <summary>Responses by status class: index 0 = no response, 1..5 = 1xx..5xx.</summary>
    public long ResponsesOfClass(int statusClass) => Volatile.Read(ref _byClass[statusClass]);

    public long LatencyCount(int bucket) => Volatile.Read(ref _latency[bucket]);
}
