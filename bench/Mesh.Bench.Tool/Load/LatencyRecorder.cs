namespace Mesh.Bench.Tool.Load;

/// <summary>
/// Every latency of a run, kept exactly (a 20 s run at 1,000 req/s is 20,000 longs) so
/// percentiles are exact rather than bucketed. Safe for concurrent writers.
/// </summary>
public sealed class LatencyRecorder
{
    private readonly long[] _latenciesNs;
    private readonly long[] _dispatchLagsNs;
    private int _count;
    private int _lagCount;
    private int _errors;
    private int _dropped;

    public LatencyRecorder(int capacity)
    {
        _latenciesNs = new long[capacity];
        _dispatchLagsNs = new long[capacity];
    }

    public int Completed => Volatile.Read(ref _count);

    public int Errors => Volatile.Read(ref _errors);

    public void Record(long latencyNs)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _latenciesNs.Length)
        {
            _latenciesNs[index] = latencyNs;
        }
        else
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>How late the generator itself sent a request (its own lag, reported to prove it kept up).</summary>
    public void RecordDispatchLag(long lagNs)
    {
        var index = Interlocked.Increment(ref _lagCount) - 1;
        if (index < _dispatchLagsNs.Length)
        {
            _dispatchLagsNs[index] = lagNs;
        }
    }

    public void RecordError() => Interlocked.Increment(ref _errors);

    public LatencySummary Summarize(int scheduled, double elapsedSeconds, string? firstError)
    {
        var count = Math.Min(Completed, _latenciesNs.Length);
        var sorted = _latenciesNs.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        var lagCount = Math.Min(Volatile.Read(ref _lagCount), _dispatchLagsNs.Length);
        var lags = _dispatchLagsNs.AsSpan(0, lagCount).ToArray();
        Array.Sort(lags);
        return new LatencySummary
        {
            Scheduled = scheduled,
            Completed = count,
            Errors = Math.Max(0, scheduled - count),
            AchievedRate = elapsedSeconds > 0 ? count / elapsedSeconds : 0,
            MeanMs = count == 0 ? 0 : sorted.Average() / 1e6,
            P50Ms = Percentile(sorted, 0.50),
            P90Ms = Percentile(sorted, 0.90),
            P99Ms = Percentile(sorted, 0.99),
            P999Ms = Percentile(sorted, 0.999),
            MaxMs = count == 0 ? 0 : sorted[^1] / 1e6,
            DispatchLagP99Ms = Percentile(lags, 0.99),
            DispatchLagMaxMs = lags.Length == 0 ? 0 : lags[^1] / 1e6,
            FirstError = firstError,
        };
    }

    /// <summary>Nearest-rank percentile in milliseconds.</summary>
    private static double Percentile(long[] sorted, double quantile)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] / 1e6;
    }
}
