using System.Diagnostics;
using System.Globalization;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// One benchmark run: its settings, its directory (logs, rendered configs), free ports, the
/// processes it started (all stopped at the end, whatever happens) and the published binaries.
/// </summary>
public sealed class RunContext : IAsyncDisposable
{
    private readonly List<ManagedProcess> _processes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _logGate = new();

    public RunContext(BenchSettings settings)
    {
        Settings = settings;
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        RunId = stamp;
        for (var n = 2; Directory.Exists(Path.Combine(settings.ResultsDirectory, RunId)); n++)
        {
            RunId = $"{stamp}-{n}";
        }

        RunDirectory = Path.Combine(settings.ResultsDirectory, RunId);
        Directory.CreateDirectory(RunDirectory);
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };
    }

    public BenchSettings Settings { get; }

    public string RunId { get; }

    public string RunDirectory { get; }

    public string LogDirectory => Path.Combine(RunDirectory, "logs");

    public PortAllocator Ports { get; } = new();

    /// <summary>The bootstrap key of the data-path control plane and the proxies' tokens.</summary>
    public BootstrapCredentials Credentials { get; } = new();

    /// <summary>For readiness and correctness checks (not for load).</summary>
    public HttpClient Http { get; }

    /// <summary>The JIT build of the sidecar (framework-dependent Release publish): the <c>*-jit</c> rows.</summary>
    public string SidecarJitPath => Binary("sidecar", "Mesh.Sidecar");

    /// <summary>The sidecar published with Native AOT, the shipped build (bench/run builds it unless --no-aot); null when absent.</summary>
    public string? SidecarAotPath => AotBinary("sidecar-aot", "Mesh.Sidecar");

    /// <summary>
    /// The sidecar a row runs: the shipped build (Native AOT, docs/containers.md), the JIT build, or
    /// a Native AOT variant. Without the AOT build (--no-aot) the JIT build stands in for the shipped
    /// one, and the results' method says so (<see cref="ShippedBuildsAreAot"/>); a variant nothing
    /// stands in for: its row fails, saying how to build it.
    /// </summary>
    public string SidecarBinary(SidecarBuild build) => build switch
    {
        SidecarBuild.Jit => SidecarJitPath,
        SidecarBuild.Shipped => SidecarAotPath ?? SidecarJitPath,
        _ => AotBinary(build.VariantFolder()!, "Mesh.Sidecar")
            ?? throw new FileNotFoundException($"{Path.Combine(Settings.BuildDirectory, build.VariantFolder()!, "Mesh.Sidecar")} is missing: bench/run publishes it with the Native AOT builds (not with --no-aot; --build-only to build only)"),
    };

    /// <summary>The gateway the gateway rows run: the shipped Native AOT build, else the JIT build.</summary>
    public string GatewayPath => AotBinary("gateway-aot", "Mesh.Gateway") ?? Binary("gateway", "Mesh.Gateway");

    /// <summary>Whether the default rows measure the shipped Native AOT builds (false: --no-aot, JIT in their place).</summary>
    public bool ShippedBuildsAreAot => SidecarAotPath is not null && AotBinary("gateway-aot", "Mesh.Gateway") is not null;

    public string ControlPlanePath => Binary("controlplane", "Mesh.ControlPlane");

    public string ConfigFile(string name) => Path.Combine(Settings.ConfigsDirectory, name);

    public void Log(string message)
    {
        lock (_logGate)
        {
            var line = $"[{_clock.Elapsed:hh\\:mm\\:ss}] {message}";
            Console.WriteLine(line);
            File.AppendAllText(Path.Combine(RunDirectory, "run.log"), line + Environment.NewLine);
        }
    }

    public ManagedProcess Start(ProcessSpec spec, Action<string>? onLine = null)
    {
        var process = ManagedProcess.Start(spec, LogDirectory, onLine);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    public async Task StopAsync(ManagedProcess process)
    {
        await process.DisposeAsync();
        lock (_processes)
        {
            _processes.Remove(process);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ManagedProcess> left;
        lock (_processes)
        {
            left = [.. _processes];
            _processes.Clear();
        }

        await Task.WhenAll(left.Select(p => p.DisposeAsync().AsTask()));
        Http.Dispose();
    }

    private string? AotBinary(string folder, string name) =>
        File.Exists(Path.Combine(Settings.BuildDirectory, folder, name)) ? Path.Combine(Settings.BuildDirectory, folder, name) : null;

    private string Binary(string folder, string name)
    {
        var path = Path.Combine(Settings.BuildDirectory, folder, name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build with bench/run (it publishes the Release binaries there)");
    }
}
