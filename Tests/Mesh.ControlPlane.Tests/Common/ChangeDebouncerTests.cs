using Mesh.ControlPlane.Common;

namespace Mesh.ControlPlane.Tests.Common;

/// <summary>The debouncer on a fake clock: the quiet period and the max delay are timers the test fires.</summary>
public sealed class ChangeDebouncerTests
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_burst_of_notifications_runs_the_callback_once_after_the_quiet_period()
    {
        var clock = new TestClock();
        var runs = new List<DateTimeOffset>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(QuietPeriod, TimeSpan.FromSeconds(5)) { TimeProvider = clock },
            async _ => { lock (runs) { runs.Add(clock.GetUtcNow()); } await release.Task; }, ex => throw ex);
        var start = clock.GetUtcNow();

        // The whole burst before the loop looks (so the clock is not advanced while it still reads).
        for (var i = 0; i < 20; i++)
        {
            debouncer.Notify();
        }

        debouncer.Start();
        await clock.WaitForTimerAsync("the quiet period", QuietPeriod);
        clock.Advance(QuietPeriod - TimeSpan.FromMilliseconds(1));
        Assert.Empty(runs);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        await Poll.UntilAsync("the callback to run", () => { lock (runs) { return runs.Count == 1; } });
        Assert.Equal(start + QuietPeriod, runs[0]);

        // While it runs, nothing of the burst is left over to run it again.
        Assert.False(debouncer.HasPendingNotification);
        release.SetResult();
    }

    [Fact]
    public async Task Steady_notifications_cannot_postpone_the_callback_past_the_max_delay()
    {
        var clock = new TestClock();
        var ran = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(QuietPeriod, MaxDelay) { TimeProvider = clock },
            _ => { ran.TrySetResult(clock.GetUtcNow()); return Task.CompletedTask; }, ex => throw ex);
        debouncer.Start();
        var start = clock.GetUtcNow();

        // A notification every 90 ms: never 100 ms quiet.
        debouncer.Notify();
        for (var i = 1; i <= 3; i++)
        {
            var dueIn = Min(QuietPeriod, MaxDelay - (clock.GetUtcNow() - start));
            await clock.WaitForTimerAsync($"the wait after notification {i}", dueIn);
            clock.Advance(TimeSpan.FromMilliseconds(90));
            Assert.False(ran.Task.IsCompleted);
            debouncer.Notify();
        }

        // 270 ms into the burst, the next wait is cut to the 30 ms left of the max delay.
        await clock.WaitForTimerAsync("the rest of the max delay", MaxDelay - TimeSpan.FromMilliseconds(270));
        clock.Advance(TimeSpan.FromMilliseconds(30));

        Assert.Equal(start + MaxDelay, await ran.Task.WaitAsync(Poll.DefaultBudget));
    }

    [Fact]
    public async Task A_failing_callback_is_reported_and_later_notifications_still_run()
    {
        var clock = new TestClock();
        var errors = new List<Exception>();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var debouncer = new ChangeDebouncer(new ChangeDebouncerOptions(QuietPeriod, MaxDelay) { TimeProvider = clock },
            _ => ++calls == 1 ? throw new InvalidOperationException("boom") : Task.FromResult(second.TrySetResult()),
            ex => { lock (errors) { errors.Add(ex); } failed.TrySetResult(); });
        debouncer.Start();

        debouncer.Notify();
        await clock.WaitForTimerAsync("the quiet period", QuietPeriod);
        clock.Advance(QuietPeriod);
        await failed.Task.WaitAsync(Poll.DefaultBudget);

        debouncer.Notify();
        await clock.WaitForTimerAsync("the quiet period", QuietPeriod);
        clock.Advance(QuietPeriod);
        await second.Task.WaitAsync(Poll.DefaultBudget);
        Assert.Equal("boom", Assert.Single(errors).Message);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
