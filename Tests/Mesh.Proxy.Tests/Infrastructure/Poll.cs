namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>Short polling instead of sleeps: tests wait for a condition, never for a fixed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {(timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s: {because ?? "(unnamed)"}");
            }

            await Task.Delay(20);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
        => UntilAsync(() => Task.FromResult(condition()), timeout, because);
}
