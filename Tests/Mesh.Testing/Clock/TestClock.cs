using Microsoft.Extensions.Time.Testing;

namespace Mesh.Testing.Clock;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also knows which of its timers are armed and when they
/// are due. Product code waits on <see cref="TimeProvider"/> timers (Task.Delay, CancellationTokenSource,
/// ITimer) from its own threads; a test must not advance the clock before the code under test has
/// armed the timer it means to fire, or the advance is lost. So a fake-clock test:
/// <list type="number">
/// <item>starts the action (a request, a file change, a disconnect),</item>
/// <item>waits until the timer the product arms for it is armed — <see cref="WaitForTimerAsync(string, TimeSpan)"/>
/// (which also proves its length: a 200 ms route timeout arms a 200 ms timer),</item>
/// <item>advances the clock (<see cref="FakeTimeProvider.Advance"/>) and asserts the outcome.</item>
/// </list>
/// It starts at the real current time, so certificates and tokens the test makes are valid.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];

    public TestClock()
        : base(DateTimeOffset.UtcNow)
    {
    }

    public TestClock(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>How long from now each armed timer is due (soonest first).</summary>
    public IReadOnlyList<TimeSpan> ArmedTimers
    {
        get
        {
            var now = GetUtcNow();
            lock (_gate)
            {
                return [.. _timers.Where(t => t.DueAt is not null).Select(t => t.DueAt!.Value - now).Order()];
            }
        }
    }

    /// <summary>Waits until a timer due exactly <paramref name="dueIn"/> from now is armed.</summary>
    /// <param name="what">The timer, as the failure should name it: "the 200 ms route timeout".</param>
    public Task<TimeSpan> WaitForTimerAsync(string what, TimeSpan dueIn) =>
        WaitForTimerAsync(what, due => due == dueIn);

    /// <summary>Waits until an armed timer's time-to-due satisfies <paramref name="match"/>; returns that time.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(string what, Func<TimeSpan, bool> match)
    {
        var found = await Poll.ForAsync(
            $"{what} (a timer on the test clock)",
            () => ArmedTimers.Where(match).Select(due => (TimeSpan?)due).FirstOrDefault(),
            due => due is not null,
            _ => $"armed timers due in [{string.Join(", ", ArmedTimers.Select(d => $"{d.TotalMilliseconds:0.###} ms"))}]");
        return found!.Value;
    }

    /// <summary>Waits until at least <paramref name="count"/> timers are armed.</summary>
    public Task WaitForTimersAsync(string what, int count) =>
        Poll.UntilAsync($"{what} ({count} armed timers on the test clock)", () => ArmedTimers.Count >= count,
            () => $"{ArmedTimers.Count} armed");

    /// <summary>
    /// Waits until <paramref name="outcome"/> holds, advancing the clock by <paramref name="step"/>
    /// whenever a timer due in exactly <paramref name="step"/> is armed. For products that may arm the
    /// timer more than once on the way (a debounce restarted by a second file event, a loop that
    /// waits out an interval after every pass): a fixed number of advances would race with them.
    /// </summary>
    public Task AdvanceUntilAsync(string what, TimeSpan step, Func<bool> outcome) =>
        AdvanceUntilAsync(what, due => due == step, step, outcome);

    /// <summary>As <see cref="AdvanceUntilAsync(string, TimeSpan, Func{bool})"/>, advancing by <paramref name="step"/> whenever a timer <paramref name="timer"/> accepts is armed.</summary>
    public Task AdvanceUntilAsync(string what, Func<TimeSpan, bool> timer, TimeSpan step, Func<bool> outcome) =>
        Poll.UntilAsync(
            what,
            () =>
            {
                if (outcome())
                {
                    return true;
                }

                if (ArmedTimers.Any(timer))
                {
                    Advance(step);
                }

                return outcome();
            },
            () => $"armed timers due in [{string.Join(", ", ArmedTimers.Select(d => $"{d.TotalMilliseconds:0.###} ms"))}]");

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        lock (_gate)
        {
            _timers.Add(tracked);
        }

        // Armed before the inner timer exists: a zero due time fires inside base.CreateTimer.
        tracked.Arm(dueTime, period);
        tracked.Inner = base.CreateTimer(s => tracked.Fire(callback, s), state, dueTime, period);
        return tracked;
    }

    private void Forget(TrackedTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>Wraps the fake timer to know its due time; the fake still fires it.</summary>
    private sealed class TrackedTimer(TestClock clock) : ITimer
    {
        private readonly Lock _gate = new();
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? DueAt { get; private set; }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _period = period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
            }
        }

        public void Fire(TimerCallback callback, object? state)
        {
            lock (_gate)
            {
                DueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : DueAt + _period;
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock.Forget(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Forget(this);
            return Inner.DisposeAsync();
        }
    }
}
