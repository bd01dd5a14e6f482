using System.Diagnostics;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// Calls reviews back to back until cancelled, counting answers by workload and failures; each
/// failure is kept with when it happened (since the probe started), for the test's output.
/// </summary>
public sealed record TrafficProbe(IReadOnlyDictionary<string, int> Served, int Failed, string? FirstFailure, IReadOnlyList<string> Failures, IReadOnlyList<string> LogAroundFailures)
{
    public static async Task<TrafficProbe> RunAsync(MeshTestCluster mesh, CancellationToken stop)
    {
        await Task.Yield();
        var clock = Stopwatch.StartNew();
        var served = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        string? firstFailure = null;
        long firstFailureAt = 0, lastFailureAt = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var workload = await mesh.CallReviewsAsync();
                served[workload] = served.GetValueOrDefault(workload) + 1;
            }
            catch (HttpRequestException e)
            {
                lastFailureAt = Stopwatch.GetTimestamp();
                firstFailureAt = firstFailure is null ? lastFailureAt : firstFailureAt;
                firstFailure ??= e.Message;
                failures.Add($"{clock.ElapsedMilliseconds} ms: {e.Message}");
            }
        }

        // What the proxies and the control plane logged from a second before the first failure.
        var log = firstFailure is null ? [] : RecentLog.Between(firstFailureAt - Stopwatch.Frequency, lastFailureAt + (Stopwatch.Frequency / 5));
        return new TrafficProbe(served, failures.Count, firstFailure, failures, log);
    }

    public override string ToString() =>
        $"{MeshTestCluster.Describe(Served)}; failed: {Failed}{(FirstFailure is null ? "" : $" (first: {FirstFailure})")}"
        + string.Concat(Failures.Take(30).Select(f => $"\n  {f}"))
        + (LogAroundFailures.Count == 0 ? "" : "\nlog around the failures:" + string.Concat(LogAroundFailures.TakeLast(200).Select(l => $"\n  {l}")));
}
