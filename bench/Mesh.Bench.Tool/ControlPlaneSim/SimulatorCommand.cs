using System.Text.Json;
using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Reporting;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary><c>mesh-bench cp-sim</c>: runs <see cref="ProxySimulator"/> and prints its result as one JSON line.</summary>
public static class SimulatorCommand
{
    public const string ResultPrefix = "RESULT ";

    public static async Task<int> RunAsync(Arguments args)
    {
        var options = new SimulatorOptions
        {
            GrpcUrl = new Uri(args.Required("grpc-url")),
            AdminUrl = new Uri(args.Required("admin-url")),
            Proxies = args.Int("proxies", 100),
            Services = args.Int("services", 0),
            StreamsPerConnection = Math.Max(1, args.Int("streams-per-connection", 100)),
            Changes = Math.Max(1, args.Int("changes", 5)),
            ControlPlanePid = args.Int("cp-pid", 0),
            Timeout = TimeSpan.FromSeconds(args.Double("timeout", 120)),
            SidecarScope = args.Flag("sidecar-scope"),
            Uncompressed = args.Flag("uncompressed"),
            ChurnInterval = TimeSpan.FromMilliseconds(args.Double("churn-ms", 0)),
            ChurnDuration = TimeSpan.FromSeconds(args.Double("churn-seconds", 60)),
            StreamWindowBytes = args.Int("stream-window-kb", DiscoveryStreamWindow.Bytes / 1024) * 1024,
        };
        args.EnsureAllUsed();

        var result = await new ProxySimulator(options, Console.WriteLine).RunAsync(CancellationToken.None);
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result, ResultJson.Compact));
        return 0;
    }
}
