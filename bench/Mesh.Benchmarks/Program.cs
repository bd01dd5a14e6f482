// Micro-benchmarks of Mesh's hot pieces (bench/run micro). BenchmarkDotNet arguments pass
// through, e.g. --filter *RouteMatching* or --job short. Benchmarks run in-process by default:
// an out-of-process run rebuilds the whole project graph, which exceeds BenchmarkDotNet's build
// timeout on a busy 2-core machine; pass --out-of-process to get separate processes anyway.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

var outOfProcess = args.Contains("--out-of-process");
var forwarded = args.Where(a => a != "--out-of-process").ToList();
if (!outOfProcess && !forwarded.Contains("--inProcess") && !forwarded.Contains("-i"))
{
    forwarded.Add("--inProcess");
}

var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
BenchmarkSwitcher.FromAssembly(typeof(Mesh.Benchmarks.BenchMesh).Assembly).Run([.. forwarded], config);
