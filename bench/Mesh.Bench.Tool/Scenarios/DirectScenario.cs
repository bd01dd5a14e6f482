using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>The baseline: the load generator talks to the backend itself (HTTP nginx or the gRPC backend).</summary>
public sealed class DirectScenario(bool grpc) : Scenario
{
    public override string Name => Grpc ? "grpc-direct" : "direct";

    public override string Title => Grpc ? "gRPC unary, direct to the backend" : "direct to the backend (no proxy)";

    public override bool Grpc => grpc;

    public override Task StartAsync(RunContext run, SharedServices shared)
    {
        Target = new Uri($"http://127.0.0.1:{(Grpc ? shared.GrpcBackendPort : shared.BackendPort)}/");
        return CheckPathAsync(run, TimeSpan.FromSeconds(10));
    }
}
