using System.Text.Json;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Scenarios;

/// <summary>Starts Mesh proxies and waits for their first applied snapshot (/ready on the admin port).</summary>
internal static class MeshStarter
{
    public static async Task<ManagedProcess> StartSidecarAsync(RunContext run, SharedServices shared, SidecarSpec sidecar)
    {
        var process = run.Start(ProcessSpecs.Sidecar(run, sidecar, shared.ControlPlaneGrpcPort));
        try
        {
            await WaitReadyAsync(run, process, sidecar.AdminPort);
            return process;
        }
        catch
        {
            await run.StopAsync(process);
            throw;
        }
    }

    /// <summary>
    /// The sidecar path of a configuration: the server's sidecar (inbound → app) and, for two hops,
    /// a client sidecar whose outbound listener is bound to the service. Each started process goes
    /// to <paramref name="add"/>; returns the port the load goes to.
    /// </summary>
    public static async Task<int> StartSidecarPathAsync(RunContext run, SharedServices shared, SidecarPath path, Action<ManagedProcess> add)
    {
        var inboundPort = run.Ports.Next();
        add(await StartSidecarAsync(run, shared, new SidecarSpec
        {
            Name = $"{path.Name}-server",
            Workload = $"{path.Service}-v1",
            App = path.Service,
            Namespace = path.Namespace,
            Service = path.Service,
            InboundListenPort = inboundPort,
            AppPort = path.AppPort,
            Protocol = path.Protocol,
            AdminPort = run.Ports.Next(),
            Build = path.Build,
            Extra = path.Extra ?? new Dictionary<string, string>(),
        }));
        if (path.Hops < 2)
        {
            return inboundPort;
        }

        var outboundPort = run.Ports.Next();
        add(await StartSidecarAsync(run, shared, new SidecarSpec
        {
            Name = $"{path.Name}-client",
            Workload = $"client-{path.Name}",
            App = $"client-{path.Name}",
            Namespace = path.Namespace,
            OutboundService = path.Service,
            OutboundListenPort = outboundPort,
            Protocol = path.Protocol,
            AdminPort = run.Ports.Next(),
            Build = path.Build,
            Extra = path.Extra ?? new Dictionary<string, string>(),
        }));
        return outboundPort;
    }

    public static async Task WaitReadyAsync(RunContext run, ManagedProcess process, int adminPort)
    {
        try
        {
            await Readiness.WaitForOkAsync(run, new Uri($"http://127.0.0.1:{adminPort}/ready"), TimeSpan.FromSeconds(30), [process]);
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"{process.Name} never became ready: {await RejectionAsync(run, adminPort) ?? ex.Message}", ex);
        }
    }

    /// <summary>The error of the last snapshot the proxy NACKed, from its /config_dump.</summary>
    public static async Task<string?> RejectionAsync(RunContext run, int adminPort)
    {
        try
        {
            using var stream = await run.Http.GetStreamAsync(new Uri($"http://127.0.0.1:{adminPort}/config_dump"));
            using var dump = await JsonDocument.ParseAsync(stream);
            return dump.RootElement.TryGetProperty("last_rejected", out var rejected) && rejected.TryGetProperty("error", out var error)
                ? "it NACKed its snapshot: " + error.GetString()
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>One configuration's sidecars: its name, the service the server forms, namespace, hops, the app port and protocol.</summary>
internal sealed record SidecarPath(string Name, string Service, string Namespace, int Hops, int AppPort, string Protocol, SidecarBuild Build = SidecarBuild.Shipped, IReadOnlyDictionary<string, string>? Extra = null);
