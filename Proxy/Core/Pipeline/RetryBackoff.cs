namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Envoy's fully jittered exponential retry back-off: retry n waits a random time in
/// [0, min(25 ms × 2ⁿ, 250 ms)).
/// </summary>
internal static class RetryBackoff
{
    public static readonly TimeSpan BaseInterval = TimeSpan.FromMilliseconds(25);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The upper bound of the wait before retry number <paramref name="retryIndex"/> (0 = first retry).</summary>
    public static TimeSpan UpperBound(int retryIndex)
    {
        var ms = BaseInterval.TotalMilliseconds * Math.Pow(2, Math.Clamp(retryIndex, 0, 16));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxInterval.TotalMilliseconds));
    }

    public static TimeSpan Next(int retryIndex)
        => TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * UpperBound(retryIndex).TotalMilliseconds);
}
