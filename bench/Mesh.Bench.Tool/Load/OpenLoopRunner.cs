using System.Globalization;
using System.Text.Json;
using Mesh.Bench.Tool.Reporting;
using Mesh.Bench.Tool.Tools;

namespace Mesh.Bench.Tool.Load;

/// <summary>Runs the open-loop generator as its own process on the load CPUs and reports its measured window.</summary>
public static class OpenLoopRunner
{
    public static async Task<LatencySummary> RunAsync(OpenLoopRunRequest request, Action onMeasureStart, Action onMeasureEnd)
    {
        var args = new List<string>
        {
            "openloop",
            "--url", request.Url.ToString(),
            "--rate", request.Rate.ToString(CultureInfo.InvariantCulture),
            "--duration", request.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--warmup", request.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "--connections", request.Connections.ToString(CultureInfo.InvariantCulture),
        };
        if (request.ExpectedBodyBytes > 0)
        {
            args.Add("--expect-bytes");
            args.Add(request.ExpectedBodyBytes.ToString(CultureInfo.InvariantCulture));
        }

        if (request.Grpc)
        {
            args.Add("--grpc");
        }

        var output = await ToolRunner.RunAsync(request.Cpus, SelfCommand.Path, args, request.Warmup + request.Duration + TimeSpan.FromSeconds(60), line =>
        {
            if (line == OpenLoopCommand.StartMarker)
            {
                onMeasureStart();
            }
            else if (line == OpenLoopCommand.EndMarker)
            {
                onMeasureEnd();
            }
        });
        var resultLine = output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(OpenLoopCommand.ResultPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the open-loop generator printed no result:\n{output}");
        return JsonSerializer.Deserialize<LatencySummary>(resultLine[OpenLoopCommand.ResultPrefix.Length..], ResultJson.Compact)
            ?? throw new InvalidOperationException("empty open-loop result");
    }
}

/// <summary>One open-loop measurement to run.</summary>
public sealed record OpenLoopRunRequest(Uri Url, double Rate, TimeSpan Duration, TimeSpan Warmup, int Connections, long ExpectedBodyBytes, bool Grpc, string? Cpus);
