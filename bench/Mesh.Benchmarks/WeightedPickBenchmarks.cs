using BenchmarkDotNet.Attributes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Benchmarks;

/// <summary>The weighted split of a route (one random roll into a cumulative table).</summary>
[MemoryDiagnoser]
public class WeightedPickBenchmarks
{
    private WeightedClusterTable _table = null!;

    [Params(1, 2, 3, 10)]
    public int Clusters { get; set; }

    [GlobalSetup]
    public void Setup() => _table = new WeightedClusterTable(
        [.. Enumerable.Range(0, Clusters).Select(i => (new UpstreamCluster($"outbound|9080|v{i}|reviews.default.svc.cluster.local", Protocol.Http), 100 / Clusters))]);

    [Benchmark]
    public UpstreamCluster Pick() => _table.Pick();
}
