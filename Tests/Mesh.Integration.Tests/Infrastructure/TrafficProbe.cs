namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>Calls reviews back to back until cancelled, counting answers by workload and failures.</summary>
public sealed record TrafficProbe(IReadOnlyDictionary<string, int> Served, int Failed, string? FirstFailure)
{
    public static async Task<TrafficProbe> RunAsync(MeshTestCluster mesh, CancellationToken stop)
    {
        await Task.Yield();
        var served = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failed = 0;
        string? firstFailure = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var workload = await mesh.CallReviewsAsync();
                served[workload] = served.GetValueOrDefault(workload) + 1;
            }
            catch (HttpRequestException e)
            {
                failed++;
                firstFailure ??= e.Message;
            }
        }

        return new TrafficProbe(served, failed, firstFailure);
    }

    public override string ToString() =>
        $"{MeshTestCluster.Describe(Served)}; failed: {Failed}{(FirstFailure is null ? "" : $" (first: {FirstFailure})")}";
}
