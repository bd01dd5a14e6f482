using System.Globalization;
using System.Text.Json;
using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Reporting;
using Mesh.Bench.Tool.Tools;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>Runs <c>mesh-bench tcp-load</c> as its own process on the load CPUs and reports its measured window.</summary>
public static class TcpLoadRunner
{
    public static async Task<TcpLoadResult> RunAsync(TcpLoadRequest request, Action onMeasureStart, Action onMeasureEnd)
    {
        var args = new List<string>
        {
            "tcp-load",
            "--mode", request.Mode,
            "--port", Text(request.Port),
            "--duration", Text(request.Duration.TotalSeconds),
            "--warmup", Text(request.Warmup.TotalSeconds),
            "--connections", Text(request.Connections),
            "--rate", Text(request.Rate),
        };
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
        return Parse(output);
    }

    /// <summary>The result line of a tcp-load run's output.</summary>
    public static TcpLoadResult Parse(string output)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(OpenLoopCommand.ResultPrefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"tcp-load printed no result:\n{output}");
        return JsonSerializer.Deserialize<TcpLoadResult>(line[OpenLoopCommand.ResultPrefix.Length..], ResultJson.Compact)
            ?? throw new InvalidOperationException("empty tcp-load result");
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One tcp-load measurement to run.</summary>
public sealed record TcpLoadRequest(string Mode, int Port, TimeSpan Duration, TimeSpan Warmup, int Connections, double Rate, string? Cpus);
