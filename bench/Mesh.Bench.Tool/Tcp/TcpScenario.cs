using Mesh.Bench.Tool.Orchestration;
using Mesh.Bench.Tool.Scenarios;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>A TCP configuration: the path from the load generator to the TCP echo backend; <see cref="Scenario.Target"/> is tcp://127.0.0.1:port.</summary>
public abstract class TcpScenario : Scenario
{
    public int Port => Target.Port;

    protected void TargetPort(int port) => Target = new Uri($"tcp://127.0.0.1:{port}/");

    /// <summary>Checks the whole path echoes a probe back.</summary>
    protected Task CheckEchoAsync(TimeSpan timeout) => TcpPathCheck.WaitForEchoAsync(Port, timeout, Proxies);
}

/// <summary>The baseline: straight to the echo backend.</summary>
public sealed class TcpDirectScenario : TcpScenario
{
    public override string Name => "tcp-direct";

    public override string Title => "TCP direct to the echo backend (no proxy)";

    public override Task StartAsync(RunContext run, SharedServices shared)
    {
        TargetPort(shared.TcpBackendPort);
        return CheckEchoAsync(TimeSpan.FromSeconds(10));
    }
}

/// <summary>Reference: one HAProxy in TCP mode (one thread).</summary>
public sealed class TcpHaproxyScenario : TcpScenario
{
    public override string Name => "tcp-haproxy";

    public override string Title => "one HAProxy, TCP mode";

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        var port = run.Ports.Next();
        var config = ConfigTemplate.Render(run.ConfigFile("haproxy-tcp.cfg"), new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["UPSTREAM_PORT"] = shared.TcpBackendPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var path = Path.Combine(run.RunDirectory, "haproxy-tcp.cfg");
        await File.WriteAllTextAsync(path, config);
        Add(run.Start(ProcessSpecs.Haproxy(run, Name, path)));
        TargetPort(port);
        await CheckEchoAsync(TimeSpan.FromSeconds(10));
    }
}

/// <summary>
/// Reference: nginx <c>stream</c>, one or two chained processes (one worker each); with TLS the
/// first originates mutual TLS to the second (the nginx counterpart of two sidecars with mTLS).
/// </summary>
public sealed class TcpNginxScenario(int hops, bool tls = false) : TcpScenario
{
    public override string Name => $"tcp-nginx-{hops}" + (tls ? "-tls" : "");

    public override string Title => (hops == 1 ? "one nginx stream proxy" : $"{hops} chained nginx stream proxies") + (tls ? ", mutual TLS between them" : "");

    public override async Task StartAsync(RunContext run, SharedServices shared)
    {
        var files = tls ? TlsFiles.Write(Path.Combine(run.RunDirectory, Name + "-certs")) : null;
        var upstream = shared.TcpBackendPort;
        for (var hop = hops; hop >= 1; hop--)
        {
            var name = $"{Name}-hop{hop}";
            var port = run.Ports.Next();
            var side = !tls ? NginxStreamConfig.Tls.None : hop == hops ? NginxStreamConfig.Tls.Server : NginxStreamConfig.Tls.Client;
            Add(run.Start(ProcessSpecs.Nginx(run, name, NginxStreamConfig.Render(run, name, port, upstream, side, files))));
            upstream = port;
        }

        TargetPort(upstream);
        await CheckEchoAsync(TimeSpan.FromSeconds(10));
    }
}
