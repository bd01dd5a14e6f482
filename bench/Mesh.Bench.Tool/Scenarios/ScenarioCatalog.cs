using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>
/// Every data-path configuration, in table order (references first, then the mesh paths). The
/// Native AOT variants of the sidecar and the mesh HTTP/1.1 client row run only when --only names them (<see cref="Scenario.OnlyWhenNamed"/>).
/// </summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All() =>
    [
        new DirectScenario(grpc: false),
        new NginxScenario(hops: 1),
        new NginxScenario(hops: 2),
        new HaproxyScenario(),
        new MeshSidecarScenario(hops: 1),
        new MeshSidecarScenario(hops: 2),
        new MeshSidecarScenario(hops: 2, mtls: true),
        new MeshSidecarScenario(hops: 1, build: SidecarBuild.Jit),
        new MeshSidecarScenario(hops: 2, build: SidecarBuild.Jit),
        new MeshSidecarScenario(hops: 1, build: SidecarBuild.AotSpeed),
        new MeshSidecarScenario(hops: 1, build: SidecarBuild.AotNative),
        new MeshSidecarScenario(hops: 1, meshHttp1Client: true),
        new GatewayScenario(),
        new DirectScenario(grpc: true),
        new MeshSidecarScenario(hops: 2, grpc: true),
    ];
}
