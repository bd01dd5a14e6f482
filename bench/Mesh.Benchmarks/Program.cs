// Micro-benchmarks of Mesh's hot pieces (bench/run micro). BenchmarkDotNet arguments pass
// through, e.g. --filter *RouteMatching* or --job short.
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
BenchmarkSwitcher.FromAssembly(typeof(Mesh.Benchmarks.BenchMesh).Assembly).Run(args, config);
