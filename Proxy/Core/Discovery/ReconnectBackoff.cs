namespace Mesh.Proxy.Core.Discovery;

/// <summary>Exponential back-off with jitter for reconnecting to the control plane: 100 ms doubling, capped at 3 s.</summary>
internal static class ReconnectBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Cap = TimeSpan.FromSeconds(3);

    /// <summary>The wait before reconnect attempt <paramref name="failures"/> (1 = after the first failure): 50-100% of the capped exponential.</summary>
    public static TimeSpan Next(int failures, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var ceiling = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, exponent), Cap.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (random.NextDouble() / 2)));
    }
}
