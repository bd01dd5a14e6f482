using Mesh.Bench.Tool.ControlPlaneSim;
using Mesh.Bench.Tool.Grpc;
using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Soak;

namespace Mesh.Bench.Tool.Cli;

/// <summary>The subcommands: the orchestrator and the helpers it starts as separate (pinned) processes.</summary>
public static class BenchCommands
{
    private const string Usage = """
        usage: mesh-bench <command> [options]

          run            the whole benchmark (what bench/run calls); see docs/benchmarks.md
                         --quick  --repetitions N  --only a,b  --skip dataplane,tcp,startup,controlplane
                         --build-dir DIR  --results-dir DIR  --load-cpus L  --sut-cpus S
                         --warmup S  --duration S  --openloop-duration S  --rate R  --connections C
                         --cp-proxies 100,1000,5000  --cp-changes N  --startup-samples N
                         --cp-sidecar-scope  --cp-churn-ms MS  --cp-uncompressed
                         --mesh-env NAME=VALUE,...  (extra environment for every Mesh proxy)
                         --tcp-bulk-connections N  (TCP bulk rows, default 4)
          serve          start configurations as the benchmark does and keep them up for
                         profiling: --only sidecar-1,sidecar-2 (prints targets and pids)
          soak           the AppHost under steady load with periodic config changes (bench/run soak):
                         [--duration 1h] [--rate 20] [--connections 8] [--change-every 30s]
                         [--repo DIR] [--results-dir DIR]
          openloop       open-loop generator: --url U --rate R --duration S [--warmup S]
                         [--connections C] [--expect-bytes B] [--grpc]
          grpc-backend   h2c gRPC echo backend: --port P
          tcp-echo-backend  TCP echo backend of the TCP rows: --port P
          tcp-load       TCP generator: --mode bulk|connect|echo --port P --duration S
                         [--warmup S] [--connections C] [--rate R]
          cp-sim         control-plane simulator: --grpc-url U --admin-url U --proxies N
                         [--services S] [--streams-per-connection K] [--changes N]
                         [--cp-pid PID] [--timeout S] [--sidecar-scope] [--uncompressed]
                         [--churn-ms MS [--churn-seconds S]] [--stream-window-kb KB]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = Arguments.Parse(args[1..]);
            return args[0] switch
            {
                "run" => await BenchRunner.RunAsync(options),
                "serve" => await ServeCommand.RunAsync(options),
                "soak" => await SoakCommand.RunAsync(options),
                "openloop" => await OpenLoopCommand.RunAsync(options),
                "grpc-backend" => await GrpcBackendCommand.RunAsync(options),
                "tcp-echo-backend" => await Tcp.TcpEchoBackendCommand.RunAsync(options),
                "tcp-load" => await Tcp.TcpLoadCommand.RunAsync(options),
                "cp-sim" => await SimulatorCommand.RunAsync(options),
                _ => throw new UsageException($"unknown command '{args[0]}'"),
            };
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"mesh-bench: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }
}
