using System.Diagnostics;
using Mesh.ControlPlane.Common;

namespace Mesh.ControlPlane.Tests.Common;

public sealed class ChangeDebouncerTests
{
    [Fact]
    public async Task A_burst_of_notifications_runs_the_callback_once()
    {
        var runs = 0;
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5)),
            _ => { Interlocked.Increment(ref runs); ran.TrySetResult(); return Task.CompletedTask; }, ex => throw ex);
        debouncer.Start();

        for (var i = 0; i < 20; i++)
        {
            debouncer.Notify();
        }

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        Assert.Equal(1, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task Steady_notifications_cannot_postpone_the_callback_past_the_max_delay()
    {
        var first = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = new Stopwatch();
        await using var debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)),
            _ => { first.TrySetResult(watch.Elapsed); return Task.CompletedTask; }, ex => throw ex);
        debouncer.Start();
        using var stop = new CancellationTokenSource();

        watch.Start();
        var notifier = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                debouncer.Notify(); // never 100 ms quiet
                await Task.Delay(10);
            }
        });

        var elapsed = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await notifier;
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"first run after {elapsed.TotalMilliseconds:0} ms");
        Assert.True(first.Task.IsCompleted);
    }

    [Fact]
    public async Task A_failing_callback_is_reported_and_later_notifications_still_run()
    {
        var errors = new List<Exception>();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
            _ => ++calls == 1 ? throw new InvalidOperationException("boom") : Task.FromResult(second.TrySetResult()),
            ex => { lock (errors) { errors.Add(ex); } failed.TrySetResult(); });
        debouncer.Start();

        debouncer.Notify();
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        debouncer.Notify();

        await second.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("boom", Assert.Single(errors).Message);
    }
}
