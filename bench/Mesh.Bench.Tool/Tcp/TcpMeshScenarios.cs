using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Scenarios;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// Mesh sidecars in front of the TCP echo backend, as <see cref="MeshSidecarScenario"/> is for
/// HTTP: one hop (the server's sidecar, PERMISSIVE: plaintext told from mTLS by the first bytes) or
/// the mesh path client outbound (TCP binding) → server inbound, plaintext (namespace
/// bench-tcp-plain, mTLS DISABLE) or with mTLS (bench-mtls, STRICT).
/// </summary>
public sealed class TcpMeshSidecarScenario(int hops, bool mtls = false) : TcpScenario
{
    public const string PlaintextNamespace = "bench-tcp-plain";

    public override string Name => $"tcp-sidecar-{hops}" + (mtls ? "-mtls" : "");

    public override string Title => "TCP through " + (hops == 1
        ? "one Mesh sidecar (server side: inbound → backend)"
        : "two Mesh sidecars (client outbound → server inbound → backend)" + (mtls ? ", mTLS between them" : ", plaintext"));

    public override bool Dotnet => true;

    private string Service => "echo-" + Name;

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        var ns = hops == 1 ? "default" : mtls ? MeshSidecarScenario.MtlsNamespace : PlaintextNamespace;
        TargetPort(await MeshStarter.StartSidecarPathAsync(run, shared, new SidecarPath(Name, Service, ns, hops, shared.TcpBackendPort, "TCP"), p => Add(p)));

        // The client's first snapshot may predate the server's registration; the next push brings it.
        await CheckEchoAsync(TimeSpan.FromSeconds(20));
    }
}

/// <summary>
/// The TCP ingress path: load → a Mesh gateway with a TCP server on Istio's tcp port 31400
/// (bench/configs/mesh-config/tcp.yaml; served on a free local port) → server sidecar → backend.
/// </summary>
public sealed class TcpGatewayScenario : TcpScenario
{
    public const string Service = "tcp-gw";

    public override string Name => "tcp-gateway";

    public override string Title => "TCP through the Mesh gateway (TCP server, port 31400) → server sidecar → backend";

    public override bool Dotnet => true;

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        Add(await MeshStarter.StartSidecarAsync(run, shared, new SidecarSpec
        {
            Name = "tcp-gateway-server",
            Workload = $"{Service}-v1",
            App = Service,
            Service = Service,
            InboundListenPort = run.Ports.Next(),
            AppPort = shared.TcpBackendPort,
            Protocol = "TCP",
            AdminPort = run.Ports.Next(),
        }));

        var listenPort = run.Ports.Next();
        var adminPort = run.Ports.Next();
        var gateway = run.Start(ProcessSpecs.Gateway(run, "tcp-gateway", listenPort, adminPort, shared.ControlPlaneGrpcPort, servicePort: 31400, selectorLabel: "bench-tcp-gateway"));
        Add(gateway);
        await MeshStarter.WaitReadyAsync(run, gateway, adminPort);
        TargetPort(listenPort);
        await CheckEchoAsync(TimeSpan.FromSeconds(20));
    }
}

/// <summary>Every TCP configuration, in table order (references first, then the mesh paths).</summary>
public static class TcpScenarioCatalog
{
    public static IReadOnlyList<TcpScenario> All() =>
    [
        new TcpDirectScenario(),
        new TcpHaproxyScenario(),
        new TcpNginxScenario(hops: 1),
        new TcpNginxScenario(hops: 2),
        new TcpNginxScenario(hops: 2, tls: true),
        new TcpMeshSidecarScenario(hops: 1),
        new TcpMeshSidecarScenario(hops: 2),
        new TcpMeshSidecarScenario(hops: 2, mtls: true),
        new TcpGatewayScenario(),
    ];
}
