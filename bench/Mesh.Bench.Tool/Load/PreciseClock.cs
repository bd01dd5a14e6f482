using System.Runtime.InteropServices;

namespace Mesh.Bench.Tool.Load;

/// <summary>
/// CLOCK_MONOTONIC in nanoseconds and an absolute-deadline sleep on it. An open-loop generator
/// must send at its scheduled times: Thread.Sleep rounds to milliseconds (a 1,000 req/s timeline
/// would turn into bursts), so the dispatcher sleeps with clock_nanosleep(TIMER_ABSTIME) and a
/// 1 ns timer slack, which wakes within a few microseconds of the deadline without spinning.
/// </summary>
public static partial class PreciseClock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsTime = 1;
    private const int PrSetTimerSlack = 29;

    public static long NowNs()
    {
        clock_gettime(ClockMonotonic, out var ts);
        return (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds;
    }

    /// <summary>Sleeps until <paramref name="deadlineNs"/> (a <see cref="NowNs"/> value); returns at once if it passed.</summary>
    public static void SleepUntil(long deadlineNs)
    {
        var ts = new Timespec { Seconds = deadlineNs / 1_000_000_000L, Nanoseconds = deadlineNs % 1_000_000_000L };
        int rc;
        do
        {
            rc = clock_nanosleep(ClockMonotonic, TimerAbsTime, in ts, IntPtr.Zero);
        }
        while (rc == 4); // EINTR: a signal woke us early; the absolute deadline is still right.
    }

    /// <summary>Lowers the calling thread's timer slack (default 50 µs) so deadlines are met closely.</summary>
    public static void UseFineTimerSlack() => _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clockId, out Timespec time);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int clock_nanosleep(int clockId, int flags, in Timespec request, IntPtr remain);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
