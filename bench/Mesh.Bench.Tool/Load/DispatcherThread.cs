namespace Mesh.Bench.Tool.Load;

/// <summary>
/// Runs an open-loop timeline on its own thread and completes a task when it is done. Waiting
/// with Thread.Join on a pool thread would block one of the few pool threads a pinned process
/// has and starve the receive loops (hundreds of milliseconds of fake latency).
/// </summary>
internal static class DispatcherThread
{
    public static Task Run(string name, Action timeline)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                PreciseClock.UseFineTimerSlack();
                timeline();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }
}
