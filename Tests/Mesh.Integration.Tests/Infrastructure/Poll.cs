using System.Diagnostics;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>Polls a condition at a short interval instead of sleeping for a guessed time.</summary>
public static class Poll
{
    public static async Task UntilAsync(string what, Func<Task<bool>> condition, TimeSpan? timeout = null, Func<string>? lastSeen = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        Exception? error = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                error = null;
            }
            catch (HttpRequestException e)
            {
                error = e;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException(
                    $"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}; last seen: {lastSeen?.Invoke() ?? error?.Message ?? "-"}");
            }

            await Task.Delay(10);
        }
    }
}
