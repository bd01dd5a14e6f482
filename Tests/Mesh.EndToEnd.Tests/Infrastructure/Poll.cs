using System.Diagnostics;

namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>Polls a condition with a short interval instead of sleeping for a guessed time.</summary>
public static class Poll
{
    /// <summary>
    /// Calls <paramref name="probe"/> until it returns a non-null value or <paramref name="timeout"/>
    /// passes; the failure names <paramref name="what"/> and the last value <paramref name="describe"/> saw.
    /// </summary>
    public static async Task<T> UntilAsync<T>(
        string what,
        TimeSpan timeout,
        Func<CancellationToken, Task<T?>> probe,
        Func<string>? describe = null,
        TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        while (true)
        {
            try
            {
                if (await probe(cancellationToken) is { } value)
                {
                    return value;
                }

                lastError = null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = e;
            }

            if (clock.Elapsed > timeout)
            {
                var detail = describe?.Invoke() ?? lastError?.Message ?? "no detail";
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last seen: {detail}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>As <see cref="UntilAsync{T}"/> for a yes/no condition.</summary>
    public static Task UntilAsync(
        string what,
        TimeSpan timeout,
        Func<CancellationToken, Task<bool>> condition,
        Func<string>? describe = null,
        TimeSpan? interval = null,
        CancellationToken cancellationToken = default) =>
        UntilAsync<object>(what, timeout, async ct => await condition(ct) ? new object() : null, describe, interval, cancellationToken);
}
