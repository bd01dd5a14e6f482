using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Scenarios;

namespace Mesh.Bench.Tests;

/// <summary>
/// The HTTP/gRPC rows and the sidecar build each runs: the shipped Native AOT build, the JIT build
/// (<c>*-jit</c>), the Native AOT variants bench/run publishes beside it (<c>*-speed</c>,
/// <c>*-native</c>) and the shipped build with the mesh's HTTP/1.1 client (<c>*-meshhttp</c>),
/// which a run measures only when --only names them.
/// </summary>
public sealed class SidecarRowsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mesh-bench-rows-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void The_rows_in_table_order_with_the_variants_only_when_named()
    {
        string[] headline = ["direct", "nginx-1", "nginx-2", "haproxy", "sidecar-1", "sidecar-2", "sidecar-2-mtls", "sidecar-1-jit", "sidecar-2-jit", "gateway", "grpc-direct", "grpc-sidecar-2"];

        Assert.Equal(headline, ScenarioSelection.Select(ScenarioCatalog.All(), null).Select(s => s.Name));
        Assert.Equal(
            ["direct", "nginx-1", "nginx-2", "haproxy", "sidecar-1", "sidecar-2", "sidecar-2-mtls", "sidecar-1-jit", "sidecar-2-jit", "sidecar-1-speed", "sidecar-1-native", "sidecar-1-meshhttp", "gateway", "grpc-direct", "grpc-sidecar-2"],
            ScenarioCatalog.All().Select(s => s.Name));

        IReadOnlyList<string> only = ["sidecar-1-native", "nginx-1", "sidecar-1-meshhttp", "sidecar-1", "sidecar-1-speed"];
        Settings("--only", string.Join(',', only)); // known names: no UsageException
        Assert.Equal(["nginx-1", "sidecar-1", "sidecar-1-speed", "sidecar-1-native", "sidecar-1-meshhttp"], ScenarioSelection.Select(ScenarioCatalog.All(), only).Select(s => s.Name));
    }

    [Fact]
    public async Task Each_row_runs_its_build_of_the_sidecar_and_a_missing_variant_fails_its_row_saying_how_to_build_it()
    {
        foreach (var folder in new[] { "sidecar", "sidecar-aot", "sidecar-aot-speed" })
        {
            Directory.CreateDirectory(Path.Combine(_directory.FullName, "build", folder));
            File.WriteAllText(Path.Combine(_directory.FullName, "build", folder, "Mesh.Sidecar"), "");
        }

        await using var run = new RunContext(Settings("--build-dir", Path.Combine(_directory.FullName, "build")));

        Assert.Equal(Path.Combine("sidecar-aot", "Mesh.Sidecar"), Relative(run.SidecarBinary(SidecarBuild.Shipped)));
        Assert.Equal(Path.Combine("sidecar", "Mesh.Sidecar"), Relative(run.SidecarBinary(SidecarBuild.Jit)));
        Assert.Equal(Path.Combine("sidecar-aot-speed", "Mesh.Sidecar"), Relative(run.SidecarBinary(SidecarBuild.AotSpeed)));
        var missing = Assert.Throws<FileNotFoundException>(() => run.SidecarBinary(SidecarBuild.AotNative));
        Assert.Contains(Path.Combine("sidecar-aot-native", "Mesh.Sidecar"), missing.Message, StringComparison.Ordinal);
        Assert.Contains("--no-aot", missing.Message, StringComparison.Ordinal);

        string Relative(string path) => Path.GetRelativePath(Path.Combine(_directory.FullName, "build"), path);
    }

    private BenchSettings Settings(params string[] args) =>
        BenchSettings.FromArguments(Arguments.Parse([.. args, "--results-dir", Path.Combine(_directory.FullName, "results")]));
}
