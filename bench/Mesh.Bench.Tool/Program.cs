// mesh-bench: the benchmark harness behind bench/run (see docs/benchmarks.md).
using Mesh.Bench.Tool.Cli;

return await BenchCommands.RunAsync(args);
