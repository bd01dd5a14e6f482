namespace Mesh.Telemetry.Tests.Infrastructure;

/// <summary>Short polling instead of sleeps: tests wait for a condition, never for a fixed time.</summary>
public static class Poll
{
    public static Task<T> UntilAsync<T>(Func<Task<T?>> probe, string because, TimeSpan? timeout = null)
        where T : class => UntilAsync(probe, () => because, timeout);

    /// <param name="because">What was awaited and what was seen last (evaluated only on timeout).</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, Func<string> because, TimeSpan? timeout = null)
        where T : class
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {limit.TotalSeconds:0.#} s: {because()}");
            }

            await Task.Delay(20);
        }
    }

    public static async Task UntilAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        await UntilAsync(() => Task.FromResult<object?>(condition() ? true : null), because, timeout);
}
