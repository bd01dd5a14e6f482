using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Bench.Tool.Tools;

/// <summary>Closed-loop HTTP/1.1 saturation with wrk (one thread: it has one core to itself).</summary>
public static partial class WrkRunner
{
    public static async Task<ClosedLoopResult> RunAsync(string? cpus, Uri url, int connections, TimeSpan duration, string? hostHeader)
    {
        var args = new List<string> { "-t1", $"-c{connections}", $"-d{(int)Math.Ceiling(duration.TotalSeconds)}s", "--latency", "--timeout", "5s" };
        if (hostHeader is not null)
        {
            args.Add("-H");
            args.Add($"Host: {hostHeader}");
        }

        args.Add(url.ToString());
        var output = await ToolRunner.RunAsync(cpus, "wrk", args, duration + TimeSpan.FromSeconds(30));
        return Parse(output);
    }

    public static ClosedLoopResult Parse(string output)
    {
        var rps = RequestsPerSecond().Match(output);
        var total = TotalRequests().Match(output);
        if (!rps.Success || !total.Success)
        {
            throw new InvalidOperationException($"unexpected wrk output:\n{output}");
        }

        long errors = 0;
        var non2xx = Non2xx().Match(output);
        if (non2xx.Success)
        {
            errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        var socket = SocketErrors().Match(output);
        if (socket.Success)
        {
            for (var i = 1; i <= 4; i++)
            {
                errors += long.Parse(socket.Groups[i].Value, CultureInfo.InvariantCulture);
            }
        }

        return new ClosedLoopResult
        {
            RequestsPerSecond = double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            Requests = long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            Errors = errors,
            P50Ms = Percentile(output, "50"),
            P90Ms = Percentile(output, "90"),
            P99Ms = Percentile(output, "99"),
            RawOutput = output,
        };
    }

    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        return match.Success ? Duration.ToMilliseconds(match.Groups[1].Value, match.Groups[2].Value) : double.NaN;
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex TotalRequests();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
