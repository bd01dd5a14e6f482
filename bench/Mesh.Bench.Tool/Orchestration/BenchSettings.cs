using Mesh.Bench.Tool.Cli;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// Everything a run is parameterised by; the defaults are the full (documented) run, --quick
/// shortens every phase for development. Recorded in the results file.
/// </summary>
public sealed record BenchSettings
{
    public bool Quick { get; init; }

    public int Repetitions { get; init; } = 3;

    /// <summary>Closed-loop load before the first measurement of a .NET configuration (tiered JIT + PGO need 12–36 s here).</summary>
    public double DotnetWarmupSeconds { get; init; } = 30;

    /// <summary>Warm-up of native configurations (nginx, haproxy): only fills connection pools and caches.</summary>
    public double NativeWarmupSeconds { get; init; } = 5;

    public double SaturationSeconds { get; init; } = 10;

    public double OpenLoopSeconds { get; init; } = 15;

    /// <summary>The open-loop generator's own unrecorded warm-up at the same rate.</summary>
    public double OpenLoopWarmupSeconds { get; init; } = 3;

    public double Rate { get; init; } = 1000;

    /// <summary>Closed-loop connections (wrk/h2load).</summary>
    public int Connections { get; init; } = 32;

    public int OpenLoopConnections { get; init; } = 16;

    public IReadOnlyList<string>? Only { get; init; }

    public bool SkipDataPath { get; init; }

    public bool SkipStartup { get; init; }

    public bool SkipControlPlane { get; init; }

    /// <summary>Leave out the TCP rows (--skip tcp).</summary>
    public bool SkipTcp { get; init; }

    /// <summary>Closed-loop bulk connections of the TCP rows (each writes 64 KB chunks).</summary>
    public int TcpBulkConnections { get; init; } = 4;

    public IReadOnlyList<int> ControlPlaneProxies { get; init; } = [100, 1000, 5000];

    public int ControlPlaneChanges { get; init; } = 3;

    /// <summary>cp-sim with Sidecar egress scoping (each proxy sees 3 services).</summary>
    public bool ControlPlaneSidecarScope { get; init; }

    /// <summary>Simulated proxies that do not accept compressed deltas (the A/B of <c>--cp-uncompressed</c>).</summary>
    public bool ControlPlaneUncompressed { get; init; }

    /// <summary>cp-sim endpoint churn interval in ms (0 = no churn phase); the phase lasts 60 s.</summary>
    public int ControlPlaneChurnMs { get; init; }

    public int StartupSamples { get; init; } = 5;

    /// <summary>CPUs of the load generators (taskset list).</summary>
    public required string LoadCpus { get; init; }

    /// <summary>CPUs of everything under test: backends, proxies, control plane.</summary>
    public required string SutCpus { get; init; }

    /// <summary>
    /// Extra environment for every Mesh proxy (experiments, e.g. a GC or logging setting); empty
    /// for the documented numbers, and always recorded in the results when used.
    /// </summary>
    public IReadOnlyDictionary<string, string> MeshEnvironment { get; init; } = new Dictionary<string, string>();

    public required string BuildDirectory { get; init; }

    public required string ResultsDirectory { get; init; }

    public required string ConfigsDirectory { get; init; }

    public static BenchSettings FromArguments(Arguments args)
    {
        var quick = args.Flag("quick");
        var cpus = Measurement.MachineInfo.OnlineCpus();
        var (defaultLoad, defaultSut) = DefaultCpus(cpus);
        var skip = args.List("skip") ?? [];
        foreach (var part in skip)
        {
            if (part is not ("dataplane" or "tcp" or "startup" or "controlplane"))
            {
                throw new UsageException($"--skip takes dataplane, tcp, startup and/or controlplane (got '{part}')");
            }
        }

        var root = RepositoryRoot();
        var settings = new BenchSettings
        {
            Quick = quick,
            Repetitions = Math.Max(1, args.Int("repetitions", quick ? 1 : 3)),
            DotnetWarmupSeconds = args.Double("warmup", quick ? 5 : 30),
            NativeWarmupSeconds = args.Double("native-warmup", quick ? 1 : 5),
            SaturationSeconds = Math.Max(1, args.Double("duration", quick ? 3 : 10)),
            OpenLoopSeconds = Math.Max(1, args.Double("openloop-duration", quick ? 4 : 15)),
            OpenLoopWarmupSeconds = args.Double("openloop-warmup", quick ? 1 : 3),
            Rate = Math.Max(1, args.Double("rate", 1000)),
            Connections = Math.Max(1, args.Int("connections", 32)),
            OpenLoopConnections = Math.Max(1, args.Int("openloop-connections", 16)),
            Only = args.List("only"),
            SkipDataPath = skip.Contains("dataplane"),
            SkipStartup = skip.Contains("startup"),
            SkipControlPlane = skip.Contains("controlplane"),
            SkipTcp = skip.Contains("tcp"),
            TcpBulkConnections = Math.Max(1, args.Int("tcp-bulk-connections", 4)),
            ControlPlaneProxies = args.IntList("cp-proxies") ?? (quick ? [100] : [100, 1000, 5000]),
            ControlPlaneChanges = Math.Max(1, args.Int("cp-changes", quick ? 2 : 3)),
            ControlPlaneSidecarScope = args.Flag("cp-sidecar-scope"),
            ControlPlaneUncompressed = args.Flag("cp-uncompressed"),
            ControlPlaneChurnMs = Math.Max(0, args.Int("cp-churn-ms", 0)),
            StartupSamples = Math.Max(1, args.Int("startup-samples", quick ? 2 : 5)),
            LoadCpus = args.String("load-cpus") ?? defaultLoad,
            SutCpus = args.String("sut-cpus") ?? defaultSut,
            MeshEnvironment = ParseEnvironment(args.List("mesh-env")),
            BuildDirectory = Path.GetFullPath(args.String("build-dir") ?? Path.Combine(root, "bench", ".build")),
            ResultsDirectory = Path.GetFullPath(args.String("results-dir") ?? Path.Combine(root, "bench", "results")),
            ConfigsDirectory = Path.GetFullPath(args.String("configs-dir") ?? Path.Combine(root, "bench", "configs")),
        };
        args.EnsureAllUsed();
        Scenarios.ScenarioSelection.Validate(settings.Only);
        return settings;
    }

    private static Dictionary<string, string> ParseEnvironment(IReadOnlyList<string>? pairs)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--mesh-env takes NAME=VALUE pairs separated by commas (got '{pair}')");
            }

            env[pair[..eq]] = pair[(eq + 1)..];
        }

        return env;
    }

    /// <summary>Load generator on the first half of the CPUs, everything under test on the rest (2 cores: 0 and 1).</summary>
    private static (string Load, string Sut) DefaultCpus(int cpus) => cpus switch
    {
        1 => ("0", "0"),
        2 => ("0", "1"),
        _ => ($"0-{(cpus / 2) - 1}", $"{cpus / 2}-{cpus - 1}"),
    };

    /// <summary>The repository root: the first parent of the tool's directory holding Mesh.sln.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
