using System.Diagnostics;
using System.Net.Sockets;
using Grpc.Core;

namespace Mesh.Testing;

/// <summary>
/// The one way tests wait for a state: probe it until it holds, never sleep for a guessed time.
/// The budget is generous (a busy CI machine, not a timing goal — those live in bench/): a test
/// that waits for the right event passes as soon as the event happens, and the budget only bounds
/// how long a broken test hangs. A failure names what was awaited and what was seen last.
/// </summary>
public static class Poll
{
    /// <summary>How long a wait may take before the test fails: CI-sized, not a timing goal.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="what">What is awaited, as the failure should read: "reviews-v1 SYNCED".</param>
    /// <param name="lastSeen">What was seen instead (read only when the wait fails).</param>
    public static Task UntilAsync(string what, Func<bool> condition, Func<string>? lastSeen = null, TimeSpan? budget = null) =>
        ForAsync(what, () => Task.FromResult(condition()), ok => ok, _ => lastSeen?.Invoke() ?? "not yet", budget);

    /// <inheritdoc cref="UntilAsync(string, Func{bool}, Func{string}?, TimeSpan?)"/>
    public static Task UntilAsync(string what, Func<Task<bool>> condition, Func<string>? lastSeen = null, TimeSpan? budget = null) =>
        ForAsync(what, condition, ok => ok, _ => lastSeen?.Invoke() ?? "not yet", budget);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds; for probes that make calls which may hang (a
    /// page load, an admin API call): their token is cancelled when the budget is spent.
    /// </summary>
    public static async Task UntilAsync(string what, Func<CancellationToken, Task<bool>> condition, Func<string>? lastSeen = null, TimeSpan? budget = null)
    {
        using var spent = new CancellationTokenSource(budget ?? DefaultBudget);
        await ForAsync(what, () => condition(spent.Token), ok => ok, _ => lastSeen?.Invoke() ?? "not yet", budget);
    }

    /// <summary>As <see cref="ForAsync{T}(string, Func{Task{T}}, Func{string}?, TimeSpan?)"/>, for probes that take a token (cancelled when the budget is spent).</summary>
    public static async Task<T> ForAsync<T>(string what, Func<CancellationToken, Task<T?>> probe, Func<string>? lastSeen = null, TimeSpan? budget = null)
        where T : class
    {
        using var spent = new CancellationTokenSource(budget ?? DefaultBudget);
        return (await ForAsync<T?>(what, () => probe(spent.Token), value => value is not null, _ => lastSeen?.Invoke() ?? "nothing", budget))!;
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value (not null) and returns it.</summary>
    public static async Task<T> ForAsync<T>(string what, Func<Task<T?>> probe, Func<string>? lastSeen = null, TimeSpan? budget = null)
        where T : class =>
        (await ForAsync<T?>(what, probe, value => value is not null, _ => lastSeen?.Invoke() ?? "nothing", budget))!;

    /// <inheritdoc cref="ForAsync{T}(string, Func{Task{T}}, Func{T, bool}, Func{T, string}?, TimeSpan?)"/>
    public static Task<T> ForAsync<T>(string what, Func<T> probe, Func<T, bool> accept, Func<T, string>? describe = null, TimeSpan? budget = null) =>
        ForAsync(what, () => Task.FromResult(probe()), accept, describe, budget);

    /// <summary>Waits until <paramref name="probe"/> returns a value <paramref name="accept"/> accepts, and returns it.</summary>
    /// <param name="describe">Describes the last value for the failure message (default: its ToString()).</param>
    public static async Task<T> ForAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> accept, Func<T, string>? describe = null, TimeSpan? budget = null)
    {
        var limit = budget ?? DefaultBudget;
        var clock = Stopwatch.StartNew();
        var interval = FirstInterval;
        var seen = false;
        T last = default!;
        Exception? error = null;
        while (true)
        {
            try
            {
                last = await probe();
                seen = true;
                error = null;
                if (accept(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (IsTransient(e))
            {
                // Not there yet: a server still starting, a connection being refused or reset.
                error = e;
            }

            if (clock.Elapsed > limit)
            {
                var detail = error is not null ? $"{error.GetType().Name}: {error.Message}"
                    : !seen ? "nothing"
                    : describe is not null ? describe(last) : last?.ToString() ?? "null";
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s for {what}; last seen: {detail}");
            }

            await Task.Delay(interval);
            interval = interval * 2 < MaxInterval ? interval * 2 : MaxInterval;
        }
    }

    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or SocketException or TaskCanceledException
        || (e is RpcException rpc && rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled);
}
