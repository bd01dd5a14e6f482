using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>
/// Mesh sidecars in front of the backend. One hop: the server's sidecar (load → inbound listener
/// → backend; Istio's "server sidecar only"). Two hops: the real mesh path, load → client sidecar
/// outbound listener → server sidecar inbound listener → backend, with the client routing by the
/// snapshot the control plane pushed (Istio's "both sidecars"). Optionally gRPC (h2c) or mTLS. The
/// sidecars are the shipped build (Native AOT); <c>*-jit</c> rows run the JIT build for comparison,
/// <c>*-speed</c> and <c>*-native</c> rows Native AOT variants (<see cref="SidecarBuild"/>), and
/// <c>*-meshhttp</c> rows the shipped build with the mesh's upstream HTTP/1.1 client instead of
/// HttpClient (<c>Mesh__Http1Client=Mesh</c>, docs/proxy.md).
/// </summary>
public sealed class MeshSidecarScenario(int hops, bool grpc = false, bool mtls = false, SidecarBuild build = SidecarBuild.Shipped, bool meshHttp1Client = false) : Scenario
{
    public const string MtlsNamespace = "bench-mtls";

    public override string Name => (grpc ? "grpc-" : "") + $"sidecar-{hops}" + (mtls ? "-mtls" : "") + build.RowSuffix() + (meshHttp1Client ? "-meshhttp" : "");

    public override string Title => (grpc ? "gRPC unary through " : "") + (hops == 1
        ? "one Mesh sidecar (server side: inbound → backend)"
        : "two Mesh sidecars (client outbound → server inbound → backend)") + (mtls ? ", mTLS between them" : hops == 2 ? ", plaintext" : "") + build.TitleSuffix()
        + (meshHttp1Client ? ", the mesh's upstream HTTP/1.1 client (not the default)" : "");

    public override bool Grpc => grpc;

    public override bool Dotnet => true;

    /// <summary>The Native AOT variants and the mesh HTTP/1.1 client are measured when asked for (--only), not in every full run.</summary>
    public override bool OnlyWhenNamed => build.VariantFolder() is not null || meshHttp1Client;

    private static readonly Dictionary<string, string> MeshHttp1ClientEnvironment = new() { ["Mesh__Http1Client"] = "Mesh" };

    /// <summary>Each scenario forms its own service so clients of one never balance onto another's server.</summary>
    private string Service => "echo-" + Name;

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        var port = await MeshStarter.StartSidecarPathAsync(
            run,
            shared,
            new SidecarPath(Name, Service, mtls ? MtlsNamespace : "default", hops, grpc ? shared.GrpcBackendPort : shared.BackendPort, grpc ? "GRPC" : "HTTP", build, meshHttp1Client ? MeshHttp1ClientEnvironment : null),
            p => Add(p));
        Target = new Uri($"http://127.0.0.1:{port}/");

        // The client's first snapshot may predate the server's registration; the next push brings it.
        await CheckPathAsync(run, TimeSpan.FromSeconds(20));
    }
}
