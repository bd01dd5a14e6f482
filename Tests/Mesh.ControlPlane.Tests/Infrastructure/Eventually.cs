using System.Diagnostics;

namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>Polls a condition with a short interval until it holds or the timeout passes.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (watch.Elapsed > limit)
            {
                throw new TimeoutException($"condition not met within {limit.TotalSeconds:0.#} s{(because is null ? "" : ": " + because)}; last value: {value}");
            }

            await Task.Delay(20);
        }
    }

    public static Task<T> GetAsync<T>(Func<T> probe, Func<T, bool> condition, TimeSpan? timeout = null, string? because = null) =>
        GetAsync(() => Task.FromResult(probe()), condition, timeout, because);
}
