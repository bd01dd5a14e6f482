using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>Reference: one or two chained nginx reverse proxies (separate processes, one worker each).</summary>
public sealed class NginxScenario(int hops) : Scenario
{
    public override string Name => $"nginx-{hops}";

    public override string Title => hops == 1 ? "one nginx proxy" : $"{hops} chained nginx proxies";

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        var upstream = shared.BackendPort;
        for (var hop = hops; hop >= 1; hop--)
        {
            var name = $"{Name}-hop{hop}";
            var port = run.Ports.Next();
            var config = SharedServices.RenderNginx(run, name, "nginx-proxy.conf", port, upstream);
            Add(run.Start(ProcessSpecs.Nginx(run, name, config)));
            upstream = port;
        }

        Target = new Uri($"http://127.0.0.1:{upstream}/");
        await CheckPathAsync(run, TimeSpan.FromSeconds(10));
    }
}
