using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>Reference: one HAProxy (HTTP mode, one thread, server-side keep-alive).</summary>
public sealed class HaproxyScenario : Scenario
{
    public override string Name => "haproxy";

    public override string Title => "one HAProxy";

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        var port = run.Ports.Next();
        var config = ConfigTemplate.Render(run.ConfigFile("haproxy.cfg"), new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["UPSTREAM_PORT"] = shared.BackendPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var path = Path.Combine(run.RunDirectory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config);
        Add(run.Start(ProcessSpecs.Haproxy(run, Name, path)));
        Target = new Uri($"http://127.0.0.1:{port}/");
        await CheckPathAsync(run, TimeSpan.FromSeconds(10));
    }
}
