using System.Collections.Concurrent;
using Mesh.Integration.Tests.Infrastructure;

namespace Mesh.Integration.Tests.Faults;

/// <summary>
/// Open-loop load through the ingress gateway: one <c>GET /reviews/0</c> every tick (50 per
/// second), each sent whether or not the earlier ones answered, so a stall or an outage shows up
/// as failed or late requests rather than as fewer requests. Every request has a sequence number;
/// a fault test takes <see cref="Mark"/> before and after its fault to tell which requests were in
/// flight when it struck. A request succeeds with 200 and a body naming the reviews workload.
/// </summary>
internal sealed class SteadyLoad : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private readonly Lock _sending = new();
    private readonly ConcurrentQueue<Outcome> _outcomes = new();
    private readonly Task _loop;
    private long _sent;

    private SteadyLoad(Uri gateway)
    {
        _client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(15) };
        _loop = Task.Run(SendLoopAsync);
    }

    /// <summary>One request's end: the workload that served it, or why it failed.</summary>
    public sealed record Outcome(long Sequence, string? Workload, string? Failure);

    public static SteadyLoad Start(Uri gateway) => new(gateway);

    /// <summary>The sequence number the next request will get.</summary>
    public long Mark() => Interlocked.Read(ref _sent);

    /// <summary>
    /// The requests sent and not yet answered, and the sequence number the next request will get,
    /// as of one moment: a request is numbered and registered in one step, so none is in neither.
    /// </summary>
    public (IReadOnlySet<long> InFlight, long Mark) InFlightAndMark()
    {
        lock (_sending)
        {
            return (_inFlight.Keys.ToHashSet(), _sent);
        }
    }

    public IReadOnlyList<Outcome> Failures => [.. _outcomes.Where(o => o.Failure is not null).OrderBy(o => o.Sequence)];

    /// <summary>Waits until <paramref name="count"/> requests sent at or after <paramref name="mark"/> succeeded: traffic flows after the fault.</summary>
    public Task WaitForServedAsync(long mark, int count, string because) =>
        Poll.UntilAsync(
            $"{count} requests served after request {mark} ({because})",
            () => Task.FromResult(Served(mark).Values.Sum() >= count),
            () => $"{Describe(Served(mark))}; failures {Failures.Count}",
            budget: TimeSpan.FromSeconds(60));

    /// <summary>Requests sent at or after <paramref name="mark"/> that succeeded, by workload.</summary>
    public IReadOnlyDictionary<string, int> Served(long mark) =>
        _outcomes.Where(o => o.Sequence >= mark && o.Workload is not null)
            .GroupBy(o => o.Workload!)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Stops sending and waits for every request in flight to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await Task.WhenAll(_inFlight.Values);
    }

    public string Summary() =>
        $"{Interlocked.Read(ref _sent)} sent, served {Describe(Served(0))}, {Failures.Count} failed"
        + string.Concat(Failures.Take(5).Select(f => $"\n  #{f.Sequence}: {f.Failure}"));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    private static string Describe(IReadOnlyDictionary<string, int> served) =>
        served.Count == 0 ? "none" : string.Join(", ", served.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"));

    private async Task SendLoopAsync()
    {
        // The rate only paces the load; no assertion depends on it.
        using var ticks = new PeriodicTimer(Interval);
        try
        {
            do
            {
                long sequence;
                Task request;
                lock (_sending)
                {
                    // SendAsync yields before it sends: the lock covers numbering and registering only.
                    sequence = Interlocked.Increment(ref _sent) - 1;
                    request = SendAsync(sequence);
                    _inFlight[sequence] = request;
                }

                _ = request.ContinueWith(_ => _inFlight.TryRemove(sequence, out var _), TaskScheduler.Default);
            }
            while (await ticks.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendAsync(long sequence)
    {
        await Task.Yield();
        try
        {
            using var response = await _client.GetAsync("/reviews/0");
            var body = await response.Content.ReadAsStringAsync();
            _outcomes.Enqueue((int)response.StatusCode == 200 && body.StartsWith("reviews-", StringComparison.Ordinal)
                ? new Outcome(sequence, body, null)
                : new Outcome(sequence, null, $"HTTP {(int)response.StatusCode}: {body}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _outcomes.Enqueue(new Outcome(sequence, null, $"{e.GetType().Name}: {e.Message}"));
        }
    }
}
