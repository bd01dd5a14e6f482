using BenchmarkDotNet.Attributes;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.Benchmarks;

/// <summary>
/// The control plane's per-proxy snapshot build (what a config change costs per node shape) and
/// the proxy's translation of that snapshot into its routing model and YARP clusters, at three
/// mesh sizes (services × 4 replicas, every fifth with a VirtualService and subsets).
/// </summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private SnapshotInputs _inputs = null!;
    private ProxyFixture _proxy = null!;

    [Params(10, 100, 500)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _inputs = BenchMesh.Inputs(Services, replicas: 4);
        _proxy = new ProxyFixture(Services, replicas: 4);
    }

    [Benchmark(Description = "control plane: service index (registry + ServiceEntries)")]
    // object: ServiceIndex is internal to the control plane, and BenchmarkDotNet calls this from generated code.
    public object Index() => ServiceIndex.Build(_inputs.Model, _inputs.Registry, _inputs.Settings);

    [Benchmark(Description = "control plane: build one proxy's snapshot")]
    public ProxySnapshot Build() => SnapshotBuilder.Build(_inputs, BenchMesh.ProductPage);

    [Benchmark(Description = "proxy: translate snapshot → routing model + YARP clusters")]
    public object Translate() => _proxy.Translator.Translate(_proxy.Snapshot);
}
