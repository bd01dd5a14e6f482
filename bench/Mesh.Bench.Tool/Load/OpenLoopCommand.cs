using System.Text.Json;
using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Reporting;

namespace Mesh.Bench.Tool.Load;

/// <summary>
/// <c>mesh-bench openloop --url U --rate R --duration S [--grpc]</c>: a warm-up at the same rate
/// (not recorded: the generator's own JIT must not show up as proxy latency), then the measured
/// run. Prints "MEASURE start"/"MEASURE end" around the measured run (the orchestrator samples the
/// proxies' CPU there) and the result as one JSON line.
/// </summary>
public static class OpenLoopCommand
{
    public const string StartMarker = "MEASURE start";
    public const string EndMarker = "MEASURE end";
    public const string ResultPrefix = "RESULT ";

    public static async Task<int> RunAsync(Arguments args)
    {
        var options = new OpenLoopOptions
        {
            Target = new Uri(args.Required("url")),
            HostHeader = args.String("host"),
            Rate = args.Double("rate", 1000),
            Duration = TimeSpan.FromSeconds(args.Double("duration", 10)),
            Connections = args.Int("connections", 16),
            ExpectedBodyBytes = args.Int("expect-bytes", 0),
        };
        var warmup = TimeSpan.FromSeconds(args.Double("warmup", 3));
        var grpc = args.Flag("grpc");
        args.EnsureAllUsed();

        // Pinned to one core the pool starts with one thread; a brief block anywhere must not
        // delay the receive loops while the pool injects threads.
        ThreadPool.SetMinThreads(8, 8);
        if (warmup > TimeSpan.Zero)
        {
            await RunOnceAsync(options with { Duration = warmup }, grpc);
        }

        Console.WriteLine(StartMarker);
        var summary = await RunOnceAsync(options, grpc);
        Console.WriteLine(EndMarker);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(summary, ResultJson.Compact));
        return summary.Completed > 0 ? 0 : 1;
    }

    private static Task<LatencySummary> RunOnceAsync(OpenLoopOptions options, bool grpc) =>
        grpc ? new GrpcOpenLoopRun(options).RunAsync(CancellationToken.None) : new OpenLoopHttpRun(options).RunAsync(CancellationToken.None);
}
