// Micro-benchmarks of Mesh's hot pieces (bench/run micro), and the in-process push-cost
// measurement of the control plane (bench/run push-cost, PushCost/PushCostCommand.cs). BenchmarkDotNet arguments pass
// through, e.g. --filter *RouteMatching* or --job short. Benchmarks run in-process by default:
// an out-of-process run rebuilds the whole project graph, which exceeds BenchmarkDotNet's build
// timeout on a busy 2-core machine; pass --out-of-process to get separate processes anyway.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "push-cost")
{
    return await Mesh.Benchmarks.PushCost.PushCostCommand.RunAsync(args[1..]);
}

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
return 0;
