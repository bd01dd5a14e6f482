namespace Mesh.Bench.Tool.Scenarios;

/// <summary>Every data-path configuration, in table order (references first, then the mesh paths).</summary>
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
        new MeshSidecarScenario(hops: 1, jit: true),
        new MeshSidecarScenario(hops: 2, jit: true),
        new GatewayScenario(),
        new DirectScenario(grpc: true),
        new MeshSidecarScenario(hops: 2, grpc: true),
    ];
}
