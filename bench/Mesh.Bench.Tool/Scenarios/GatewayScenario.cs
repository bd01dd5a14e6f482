using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>The ingress path: load → Mesh gateway (Gateway + VirtualService from bench/configs/mesh-config) → server sidecar → backend.</summary>
public sealed class GatewayScenario : Scenario
{
    public const string Service = "echo-gw";

    public override string Name => "gateway";

    public override string Title => "Mesh gateway → server sidecar → backend";

    public override bool Dotnet => true;

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        Add(await MeshStarter.StartSidecarAsync(run, shared, new SidecarSpec
        {
            Name = "gateway-server",
            Workload = $"{Service}-v1",
            App = Service,
            Service = Service,
            InboundListenPort = run.Ports.Next(),
            AppPort = shared.BackendPort,
            AdminPort = run.Ports.Next(),
        }));

        var listenPort = run.Ports.Next();
        var adminPort = run.Ports.Next();
        var gateway = run.Start(ProcessSpecs.Gateway(run, "gateway", listenPort, adminPort, shared.ControlPlaneGrpcPort));
        Add(gateway);
        await MeshStarter.WaitReadyAsync(run, gateway, adminPort);
        Target = new Uri($"http://127.0.0.1:{listenPort}/");
        await CheckPathAsync(run, TimeSpan.FromSeconds(20));
    }
}
