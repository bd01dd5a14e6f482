using System.Globalization;
using System.Text.Json;
using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Measurement;
using Mesh.Bench.Tool.Reporting;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// <c>mesh-bench run</c>: data path, sidecar start-up, control plane; writes
/// bench/results/&lt;run id&gt;.json and .md and prints the tables.
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var settings = BenchSettings.FromArguments(args);
        CheckTools();
        using var stop = new StopSignal();
        var run = new RunContext(settings);
        try
        {
            var work = RunAsync(run);
            if (await Task.WhenAny(work, stop.Signalled) != work)
            {
                run.Log("stopped by a signal: stopping every process the run started");
                return 130;
            }

            return await work;
        }
        finally
        {
            await run.DisposeAsync();
        }
    }

    private static async Task<int> RunAsync(RunContext run)
    {
        var settings = run.Settings;
        var started = DateTimeOffset.UtcNow;
        await using var load = new LoadSampler();
        run.Log($"mesh-bench {(settings.Quick ? "quick" : "full")} run {run.RunId}: load generators on CPUs {settings.LoadCpus}, everything under test on CPUs {settings.SutCpus}; logs in {run.RunDirectory}");
        var machine = MachineInfo.Collect();

        IReadOnlyList<ScenarioResult> dataPath = [];
        IReadOnlyList<Tcp.TcpScenarioResult> tcp = [];
        var startup = new List<StartupResult>();
        IReadOnlyList<ControlPlaneRun> controlPlane = [];
        if (!settings.SkipDataPath || !settings.SkipTcp || !settings.SkipStartup)
        {
            var shared = await SharedServices.StartAsync(run);
            try
            {
                if (!settings.SkipDataPath)
                {
                    dataPath = await new DataPathBenchmark(run, shared).RunAsync();
                }

                if (!settings.SkipTcp)
                {
                    tcp = await new Tcp.TcpDataPathBenchmark(run, shared).RunAsync();
                }

                if (!settings.SkipStartup)
                {
                    var benchmark = new StartupBenchmark(run, shared);
                    startup.Add(await benchmark.RunAsync(aot: false));
                    if (run.SidecarAotPath is not null)
                    {
                        startup.Add(await benchmark.RunAsync(aot: true));
                    }
                }
            }
            finally
            {
                await run.StopAsync(shared.ControlPlane);
                await run.StopAsync(shared.GrpcBackend);
                await run.StopAsync(shared.TcpBackend);
                await run.StopAsync(shared.Backend);
            }
        }

        if (!settings.SkipControlPlane)
        {
            controlPlane = await new ControlPlaneBenchmark(run).RunAsync();
        }

        var (min, median, max) = load.Summary();
        var result = new RunResult
        {
            RunId = run.RunId,
            Mode = settings.Quick ? "quick" : "full",
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            Machine = machine,
            Source = SourceOf(settings),
            LoadAverage = [min, median, max],
            Settings = settings,
            Method = Method(settings, run.ShippedBuildsAreAot),
            DataPath = dataPath,
            TcpDataPath = tcp,
            Startup = startup,
            ControlPlane = controlPlane,
        };
        result = result with { Goals = GoalEvaluator.Evaluate(result) };

        var json = Path.Combine(settings.ResultsDirectory, run.RunId + ".json");
        var markdown = Path.Combine(settings.ResultsDirectory, run.RunId + ".md");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(result, ResultJson.Indented));
        var report = MarkdownReport.Render(result);
        await File.WriteAllTextAsync(markdown, report);
        Console.WriteLine();
        Console.WriteLine(report);
        run.Log($"results: {json} and {markdown}");
        return dataPath.Any(d => d.Status != "ok") || tcp.Any(t => t.Status != "ok") || controlPlane.Any(c => c.Result is null) || startup.Any(s => s.Error is not null) ? 1 : 0;
    }

    /// <summary>How the numbers were taken, written next to them.</summary>
    private static string Method(BenchSettings s, bool shippedAot) => string.Create(CultureInfo.InvariantCulture, $"""
        Method: everything on 127.0.0.1. Backend: nginx returning a fixed 1,024-byte body (gRPC: a .NET h2c server with a 1 KB reply). Load generators are pinned with taskset to CPU(s) {s.LoadCpus}; backends, proxies and control plane to CPU(s) {s.SutCpus}. Every configuration runs side by side, gets a warm-up of closed-loop load ({s.DotnetWarmupSeconds:0} s for .NET proxies — tiered JIT needs 12–36 s here — and {s.NativeWarmupSeconds:0} s for nginx/HAProxy), then {s.Repetitions} interleaved round(s), each: {s.SaturationSeconds:0} s closed loop at {s.Connections} connections (wrk -t1, gRPC: h2load -m1) for req/s and CPU µs per request, then {s.OpenLoopSeconds:0} s open loop at {s.Rate:0} req/s on {s.OpenLoopConnections} keep-alive connections (mesh-bench openloop after a {s.OpenLoopWarmupSeconds:0} s unrecorded warm-up; each request is timed from its scheduled send time, so stalls are not hidden by coordinated omission) for latency, vCPU per 1,000 req/s (utime+stime of every proxy process from /proc/<pid>/stat over the window) and peak RSS (VmHWM, reset via clear_refs at the start of the window). Medians over the rounds. Builds: the sidecar and gateway rows run the shipped Native AOT builds (Release, linux-x64), the *-jit rows the framework-dependent JIT build of the same commit, the *-speed and *-native rows (when named) Native AOT variants that do not ship: OptimizationPreference=Speed, and that plus IlcInstructionSet=native (this machine's CPU), the *-meshhttp row (when named) the shipped build with the mesh's upstream HTTP/1.1 client (Mesh__Http1Client=Mesh) instead of HttpClient{(shippedAot ? "" : " — this run had no AOT build (bench/run --no-aot, or it failed to build), so the JIT build stands in for it in every row")}. Sidecar start-up: exec of the Release binary to /ready (first snapshot applied) and to the first proxied 200, polled every 2 ms. Control plane: a fresh control plane per N, simulated proxies holding real gRPC incremental discovery streams (StreamDeltas, {100} per HTTP/2 connection), each ACKing every delta at once by its nonce; a change is a VirtualService weight shift applied through the admin API, timed from just before the apply call until each proxy sent its ACK.{(s.SkipTcp ? "" : " " + Tcp.TcpMethod.Describe(s))}{(s.MeshEnvironment.Count == 0 ? "" : " Extra environment of every Mesh proxy in this run: " + string.Join(", ", s.MeshEnvironment.Select(e => $"{e.Key}={e.Value}")) + ".")}
        """);

    /// <summary>
    /// The commit the binaries were published from and how many tracked files differed from it
    /// (recorded by bench/run at build time; else the tree as it is now).
    /// </summary>
    private static SourceInfo? SourceOf(BenchSettings settings)
    {
        var recorded = Path.Combine(settings.BuildDirectory, "source.txt");
        if (File.Exists(recorded))
        {
            var parts = File.ReadAllText(recorded).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var files))
            {
                return new SourceInfo(parts[0], files);
            }
        }

        try
        {
            var root = Path.GetDirectoryName(settings.ConfigsDirectory.TrimEnd('/'))!;
            var commit = Git(root, "rev-parse --short HEAD").Trim();
            var dirty = Git(root, "status --porcelain --untracked-files=no").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            return new SourceInfo(commit, dirty);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Git(string directory, string arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", $"-C {directory} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("git did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException("git failed");
    }

    private static void CheckTools()
    {
        var missing = new[] { "wrk", "h2load", "nginx", "haproxy", "taskset" }.Where(t => !OnPath(t)).ToList();
        if (missing.Count > 0)
        {
            throw new UsageException($"missing tools: {string.Join(", ", missing)} (bench/run installs them: apt-get install wrk nghttp2-client hey nginx-light haproxy)");
        }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
