using System.Diagnostics;
using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Reporting;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// Sidecar start-up: exec of the published Release binary (pinned like the data path) until its
/// admin /ready answers 200 — the first snapshot from the control plane is applied — and until
/// the first request through its inbound listener returns the backend's 200.
/// </summary>
public sealed class StartupBenchmark(RunContext run, SharedServices shared)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    public async Task<StartupResult> RunAsync(bool aot)
    {
        var samples = new List<StartupSample>();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(1) };
            for (var i = 1; i <= run.Settings.StartupSamples; i++)
            {
                samples.Add(await SampleAsync(http, i, aot));
                var s = samples[^1];
                run.Log($"start-up {(aot ? "(AOT) " : "")}{i}: ready after {s.ReadyMs:0} ms, first proxied 200 after {s.FirstRequestMs:0} ms, RSS {s.RssAtReadyBytes / 1048576.0:0} MB");
            }
        }
        catch (Exception ex)
        {
            run.Log($"start-up benchmark failed: {ex.Message}");
            return Summary(aot, samples, ex.Message);
        }

        return Summary(aot, samples, null);
    }

    private async Task<StartupSample> SampleAsync(HttpClient http, int index, bool aot)
    {
        var adminPort = run.Ports.Next();
        var inboundPort = run.Ports.Next();
        var spec = ProcessSpecs.Sidecar(run, new SidecarSpec
        {
            Name = $"startup-{(aot ? "aot-" : "")}{index}",
            Workload = "echo-startup-v1",
            App = "echo-startup",
            Service = "echo-startup",
            InboundListenPort = inboundPort,
            AppPort = shared.BackendPort,
            AdminPort = adminPort,
            Build = aot ? SidecarBuild.Shipped : SidecarBuild.Jit,
        }, shared.ControlPlaneGrpcPort);

        var started = Stopwatch.GetTimestamp();
        var process = run.Start(spec);
        try
        {
            await PollAsync(http, new Uri($"http://127.0.0.1:{adminPort}/ready"), 0, process);
            var ready = Stopwatch.GetElapsedTime(started);
            var rss = ProcReader.Memory(process.Pid)?.Rss ?? 0;
            await PollAsync(http, new Uri($"http://127.0.0.1:{inboundPort}/"), SharedServices.BodyBytes, process);
            var first = Stopwatch.GetElapsedTime(started);
            return new StartupSample(ready.TotalMilliseconds, first.TotalMilliseconds, rss);
        }
        finally
        {
            await run.StopAsync(process);
        }
    }

    private static async Task PollAsync(HttpClient http, Uri url, long expectedBytes, ManagedProcess process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited with {process.ExitCode}:\n{process.Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(url);
                if ((int)response.StatusCode == 200)
                {
                    var body = await response.Content.ReadAsByteArrayAsync();
                    if (expectedBytes == 0 || body.Length == expectedBytes)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(PollInterval);
        }

        throw new TimeoutException($"{url} did not answer 200 within 30 s");
    }

    private StartupResult Summary(bool aot, List<StartupSample> samples, string? error) => new(
        aot ? "Native AOT (sidecar-aot/Mesh.Sidecar)" : "JIT (sidecar/Mesh.Sidecar)",
        samples,
        Stats.Median(samples.Select(s => s.ReadyMs)),
        Stats.Median(samples.Select(s => s.FirstRequestMs)),
        Stats.Median(samples.Select(s => s.RssAtReadyBytes)),
        error);
}
