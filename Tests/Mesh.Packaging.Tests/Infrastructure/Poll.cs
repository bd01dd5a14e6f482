namespace Mesh.Packaging.Tests.Infrastructure;

/// <summary>Waits for a state by checking it again and again (no fixed sleeps), failing with what was last seen.</summary>
internal static class Poll
{
    public static async Task<T> UntilAsync<T>(string what, TimeSpan timeout, Func<Task<(bool Done, T Value, string Seen)>> check, RunningCommand? watched = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var seen = "";
        while (!deadline.IsCancellationRequested)
        {
            if (watched is { HasExited: true })
            {
                Assert.Fail($"The AppHost exited while waiting for {what}:\n{watched.Output}");
            }

            try
            {
                var (done, value, last) = await check();
                seen = last;
                if (done)
                {
                    return value;
                }
            }
            catch (HttpRequestException e)
            {
                seen = e.Message;
            }
            catch (TaskCanceledException e) when (!deadline.IsCancellationRequested)
            {
                seen = e.Message;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Assert.Fail($"No {what} within {timeout.TotalSeconds:0} s; last seen:\n{seen}\n\nAppHost output:\n{watched?.Output}");
        return default!;
    }
}
