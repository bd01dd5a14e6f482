using System.Threading.Channels;

namespace Mesh.ControlPlane.Common;

/// <summary>
/// Coalesces bursts of change notifications: the callback runs once the notifications have been
/// quiet for <c>quietPeriod</c>, or at the latest <c>maxDelay</c> after the first one of a burst,
/// so a steady stream of changes cannot postpone it forever. The callback never runs concurrently
/// with itself; notifications that arrive while it runs schedule one more run.
/// </summary>
internal sealed class ChangeDebouncer : IAsyncDisposable
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Func<CancellationToken, Task> _callback;
    private readonly Action<Exception> _onError;
    private readonly TimeSpan _quietPeriod;
    private readonly TimeSpan _maxDelay;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private int _disposed;

    public ChangeDebouncer(ChangeDebouncerOptions options, Func<CancellationToken, Task> callback, Action<Exception> onError)
    {
        _quietPeriod = options.QuietPeriod;
        _maxDelay = options.MaxDelay < options.QuietPeriod ? options.QuietPeriod : options.MaxDelay;
        _time = options.TimeProvider ?? TimeProvider.System;
        _callback = callback;
        _onError = onError;
    }

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Records that something changed; cheap and non-blocking.</summary>
    public void Notify() => _signal.Writer.TryWrite(true);

    /// <summary>Whether a notification waits to start the next burst (one at most: later ones coalesce into it).</summary>
    internal bool HasPendingNotification => _signal.Reader.Count > 0;

    private async Task RunAsync()
    {
        var token = _stopping.Token;
        try
        {
            while (await _signal.Reader.WaitToReadAsync(token))
            {
                _signal.Reader.TryRead(out _);
                var burstStart = _time.GetTimestamp();
                while (true)
                {
                    var remaining = _maxDelay - _time.GetElapsedTime(burstStart);
                    if (remaining <= TimeSpan.Zero || !await WaitForSignalAsync(Min(_quietPeriod, remaining), token))
                    {
                        break;
                    }
                }

                try
                {
                    await _callback(token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    _onError(ex);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> WaitForSignalAsync(TimeSpan timeout, CancellationToken token)
    {
        // The timeout runs on the debouncer's clock (a fake one in tests), not on the wall clock.
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var waitSource = CancellationTokenSource.CreateLinkedTokenSource(token, timeoutSource.Token);
        try
        {
            await _signal.Reader.WaitToReadAsync(waitSource.Token);
            return _signal.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return false;
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _signal.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }
}

internal sealed record ChangeDebouncerOptions(TimeSpan QuietPeriod, TimeSpan MaxDelay)
{
    public TimeProvider? TimeProvider { get; init; }
}
