using System.Diagnostics;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>Polls until a process is ready, failing fast (with its output) when it exits instead.</summary>
public static class Readiness
{
    /// <summary>Waits until GET <paramref name="url"/> answers 200 (and, when given, a body of that size).</summary>
    public static async Task WaitForOkAsync(RunContext run, Uri url, TimeSpan timeout, IReadOnlyList<ManagedProcess> processes, long expectedBytes = 0, string? hostHeader = null)
    {
        var watch = Stopwatch.StartNew();
        string last = "no answer";
        while (watch.Elapsed < timeout)
        {
            foreach (var process in processes)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited with {process.ExitCode} while waiting for {url}:\n{process.Tail()}");
                }
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (hostHeader is not null)
                {
                    request.Headers.Host = hostHeader;
                }

                using var response = await run.Http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                if ((int)response.StatusCode == 200 && (expectedBytes == 0 || body.Length == expectedBytes))
                {
                    return;
                }

                last = $"{(int)response.StatusCode} with {body.Length} bytes";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{url} was not ready within {timeout.TotalSeconds:0} s (last: {last})");
    }
}
