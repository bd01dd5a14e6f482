using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Bench.Tool.Tools;

/// <summary>
/// Closed-loop gRPC unary saturation with h2load (h2c prior knowledge): POSTs a framed gRPC
/// message with the gRPC headers; h2load counts 2xx answers (the gRPC status itself is checked by
/// the open-loop .NET client, which runs a real gRPC client).
/// </summary>
public static partial class H2LoadRunner
{
    public static async Task<ClosedLoopResult> RunAsync(string? cpus, Uri url, string bodyFile, int connections, TimeSpan duration)
    {
        var args = new List<string>
        {
            "-t1", $"-c{connections}", "-m1", $"-D{(int)Math.Ceiling(duration.TotalSeconds)}",
            "-d", bodyFile,
            "-H", "content-type: application/grpc",
            "-H", "te: trailers",
            url.ToString(),
        };
        var output = await ToolRunner.RunAsync(cpus, "h2load", args, duration + TimeSpan.FromSeconds(30));
        return Parse(output);
    }

    public static ClosedLoopResult Parse(string output)
    {
        var finished = Finished().Match(output);
        var requests = Requests().Match(output);
        if (!finished.Success || !requests.Success)
        {
            throw new InvalidOperationException($"unexpected h2load output:\n{output}");
        }

        var status = StatusCodes().Match(output);
        long errors = long.Parse(requests.Groups[3].Value, CultureInfo.InvariantCulture)
            + long.Parse(requests.Groups[4].Value, CultureInfo.InvariantCulture)
            + long.Parse(requests.Groups[5].Value, CultureInfo.InvariantCulture);
        if (status.Success)
        {
            errors += long.Parse(status.Groups[2].Value, CultureInfo.InvariantCulture)
                + long.Parse(status.Groups[3].Value, CultureInfo.InvariantCulture)
                + long.Parse(status.Groups[4].Value, CultureInfo.InvariantCulture);
        }

        return new ClosedLoopResult
        {
            RequestsPerSecond = double.Parse(finished.Groups[1].Value, CultureInfo.InvariantCulture),
            Requests = long.Parse(requests.Groups[2].Value, CultureInfo.InvariantCulture),
            Errors = errors,
            P50Ms = double.NaN,
            P90Ms = double.NaN,
            P99Ms = double.NaN,
            RawOutput = output,
        };
    }

    [GeneratedRegex(@"finished in [\d.]+\w+, ([\d.]+) req/s")]
    private static partial Regex Finished();

    [GeneratedRegex(@"requests: (\d+) total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout")]
    private static partial Regex Requests();

    [GeneratedRegex(@"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")]
    private static partial Regex StatusCodes();
}
