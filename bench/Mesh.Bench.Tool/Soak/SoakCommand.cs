using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.Soak;

/// <summary>
/// <c>mesh-bench soak</c> (bench/run soak): the repository's AppHost (Bookinfo in the mesh, as
/// <c>dotnet run --project AppHost</c> runs it) under steady open-loop load through the ingress
/// gateway with a config change every 30 s, for an hour by default. Reports failed requests
/// (must be 0), RSS and open file descriptors of every process at start, halfway and end, and each .NET
/// process's live managed heap at those points and its GC pause p99; exits 1 when a request failed.
/// </summary>
public static class SoakCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var options = SoakOptions.From(args);
        Console.WriteLine($"soak: AppHost of {options.Repository}, {options.Duration} at {options.Rate} pages/s through {options.Gateway}, a config change every {options.ChangeEvery}");
        using var appHost = StartAppHost(options.Repository);
        try
        {
            return await SoakAsync(options, appHost);
        }
        finally
        {
            await StopAsync(appHost, options.Repository);
        }
    }

    private static async Task<int> SoakAsync(SoakOptions options, Process appHost)
    {
        await WaitUntilServingAsync(options, appHost);
        var token = (await File.ReadAllTextAsync(Path.Combine(options.Repository, ".mesh-data", "admin-token"))).Trim();
        using var changer = new SoakConfigChanger(options.Admin, token);

        var start = await SoakProcesses.SampleWithLiveHeapAsync(SoakProcesses.Find(appHost.Id, options.Repository));
        var recorders = start.Select(p => GcPauseRecorder.TryStart(p.Pid)).OfType<GcPauseRecorder>().ToList();
        Console.WriteLine($"soak: {start.Count} processes, {recorders.Count} of them .NET (GC pauses recorded); load starts");

        var clock = Stopwatch.StartNew();
        // Halfway through as well: growth that stops in the first half is warm-up (JIT tiers, GC
        // budgets, connection pools); growth that goes on in the second half is what to explain.
        var halfway = Task.Delay(options.Duration / 2).ContinueWith(_ => SoakProcesses.SampleWithLiveHeapAsync(start.Select(p => p.Pid)), TaskScheduler.Default).Unwrap();
        using var stopChanges = new CancellationTokenSource();
        var changes = changer.RunAsync(options.ChangeEvery, stopChanges.Token);
        var load = await new OpenLoopHttpRun(new OpenLoopOptions
        {
            Target = options.Gateway,
            Rate = options.Rate,
            Duration = options.Duration,
            Connections = options.Connections,
            Drain = TimeSpan.FromSeconds(30),
        }).RunAsync(CancellationToken.None);
        await stopChanges.CancelAsync();
        await changes;
        await changer.RemoveAsync();

        var end = await SoakProcesses.SampleWithLiveHeapAsync(SoakProcesses.Find(appHost.Id, options.Repository));
        var pauses = new Dictionary<int, (int Count, double P99Ms, double MaxMs)>();
        foreach (var recorder in recorders)
        {
            pauses[recorder.Pid] = await recorder.StopAsync();
            await recorder.DisposeAsync();
        }

        var result = new SoakResult(options, clock.Elapsed, load, changer.Applied, changer.Refused, changer.FirstRefusal, start, await halfway, end, pauses);
        var markdown = result.Markdown();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(options.ResultsDirectory);
        var id = "soak-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDirectory, id + ".md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(options.ResultsDirectory, id + ".json"), JsonSerializer.Serialize(result.Json(), new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"soak: results in {Path.Combine(options.ResultsDirectory, id)}.md/.json");
        return load.Errors == 0 && changer.Refused == 0 ? 0 : 1;
    }

    private static Process StartAppHost(string repository)
    {
        // The developer's loop exactly (launch profile, fixed ports, mesh-config/, .mesh-data/);
        // bench/run built it already.
        var start = new ProcessStartInfo("dotnet", ["run", "--project", Path.Combine(repository, "AppHost"), "--no-build"])
        {
            WorkingDirectory = repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet run did not start");
        var log = Path.Combine(repository, "bench", ".build", "soak-apphost.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.Exited += (_, _) => { lock (writer) { writer.Dispose(); } };
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until the gateway serves the product page 10 times in a row (every proxy has its config).</summary>
    private static async Task WaitUntilServingAsync(SoakOptions options, Process appHost)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = Stopwatch.StartNew();
        var inARow = 0;
        while (inARow < 10)
        {
            if (appHost.HasExited)
            {
                throw new InvalidOperationException($"the AppHost exited ({appHost.ExitCode}); see bench/.build/soak-apphost.log");
            }

            if (deadline.Elapsed > options.StartupTimeout)
            {
                throw new TimeoutException($"the gateway did not serve {options.Gateway} within {options.StartupTimeout}; see bench/.build/soak-apphost.log");
            }

            try
            {
                using var response = await http.GetAsync(options.Gateway);
                inARow = response.IsSuccessStatusCode ? inARow + 1 : 0;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                inARow = 0;
            }

            if (inARow == 0)
            {
                await Task.Delay(1000);
            }
        }
    }

    /// <summary>Ctrl+C as a developer stops it (the AppHost stops its resources), then the whole tree.</summary>
    private static async Task StopAsync(Process appHost, string repository)
    {
        if (appHost.HasExited)
        {
            return;
        }

        var tree = SoakProcesses.Find(appHost.Id, repository);
        foreach (var pid in tree.Skip(1).Where(pid => SoakProcesses.Name(pid)?.StartsWith("Mesh.AppHost", StringComparison.Ordinal) == true))
        {
            Interrupt(pid);
        }

        Interrupt(appHost.Id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await appHost.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var pid in tree)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private static void Interrupt(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardError = true });
        kill?.WaitForExit();
    }
}
