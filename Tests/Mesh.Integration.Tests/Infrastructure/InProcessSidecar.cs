using System.Globalization;
using System.Text.Json;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.L4;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A real sidecar (the Sidecar host's exact wiring: <c>AddMeshProxy</c>/<c>MapMeshProxy</c>)
/// configured through the same <c>Mesh:*</c> settings the hosting integration sets, on ports
/// the OS picks.
/// </summary>
public sealed class InProcessSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private InProcessSidecar(WebApplication app, string id)
    {
        _app = app;
        Id = id;
        Listeners = app.Services.GetRequiredService<ListenerSet>();
    }

    /// <summary>Node id (what proxy-status lists).</summary>
    public string Id { get; }

    public ListenerSet Listeners { get; }

    public int AdminPort => Listeners.Admin.BoundPort;

    /// <summary>The local listener the app calls <paramref name="host"/> through.</summary>
    public Uri OutboundUri(string host) =>
        new($"http://127.0.0.1:{Listeners.OfKind(ListenerKind.Outbound).First(l => l.UpstreamHost == host).BoundPort}");

    /// <summary>The local port of the app's binding to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public int OutboundPort(string host, int port) =>
        Listeners.OfKind(ListenerKind.Outbound).First(l => l.UpstreamHost == host && l.UpstreamPort == port).BoundPort;

    /// <summary>The inbound listener of service port <paramref name="servicePort"/> (where other proxies connect).</summary>
    public int InboundPort(int servicePort) =>
        Listeners.OfKind(ListenerKind.Inbound).First(l => l.ServicePort == servicePort).BoundPort;

    /// <param name="token">
    /// Its bootstrap token; by default minted now. A workload started while the control plane is
    /// down brings one minted before, as its pod brings the one the hosting gave it.
    /// </param>
    public static async Task<InProcessSidecar> StartAsync(SidecarSpec spec, InProcessControlPlane controlPlane, string? token = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:Mode"] = "Sidecar",
            ["Mesh:ControlPlane:Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh:ControlPlane:Token"] = token ?? controlPlane.MintProxyToken(spec.Namespace, spec.ServiceAccount, spec.Id),
            ["Mesh:Node:Id"] = spec.Id,
            ["Mesh:Node:Namespace"] = spec.Namespace,
            ["Mesh:Node:ServiceAccount"] = spec.ServiceAccount,
            ["Mesh:Node:Workload"] = spec.Id,
            ["Mesh:Node:Labels:app"] = spec.App,
            ["Mesh:Node:Labels:version"] = spec.Version,
            ["Mesh:AdminPort"] = "0",
        };
        foreach (var (key, value) in spec.Labels)
        {
            settings[$"Mesh:Node:Labels:{key}"] = value;
        }

        if (spec.AppPort is { } appPort)
        {
            settings["Mesh:Service"] = spec.App;
            settings["Mesh:Inbound:0:Name"] = "http";
            settings["Mesh:Inbound:0:Port"] = spec.ServicePort.ToString(CultureInfo.InvariantCulture);
            settings["Mesh:Inbound:0:TargetPort"] = appPort.ToString(CultureInfo.InvariantCulture);
            settings["Mesh:Inbound:0:ListenPort"] = "0";
        }

        for (var i = 0; i < spec.Ports.Count; i++)
        {
            var port = spec.Ports[i];
            settings["Mesh:Service"] = spec.App;
            settings[$"Mesh:Inbound:{i}:Name"] = port.Name;
            settings[$"Mesh:Inbound:{i}:Port"] = port.ServicePort.ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Inbound:{i}:TargetPort"] = port.AppPort.ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Inbound:{i}:Protocol"] = port.Protocol;
            settings[$"Mesh:Inbound:{i}:ListenPort"] = "0";
        }

        var outbound = 0;
        foreach (var upstream in spec.Upstreams)
        {
            settings[$"Mesh:Outbound:{outbound}:Host"] = upstream;
            settings[$"Mesh:Outbound:{outbound}:Port"] = spec.ServicePort.ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Outbound:{outbound++}:ListenPort"] = "0";
        }

        foreach (var binding in spec.Bindings)
        {
            settings[$"Mesh:Outbound:{outbound}:Host"] = binding.Host;
            settings[$"Mesh:Outbound:{outbound}:Port"] = binding.Port.ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Outbound:{outbound}:Protocol"] = binding.Protocol;
            settings[$"Mesh:Outbound:{outbound++}:ListenPort"] = "0";
        }

        var app = await StartProxyAsync(settings, MeshProxyMode.Sidecar);
        return new InProcessSidecar(app, spec.Id);
    }

    /// <summary>
    /// Starts a proxy host with these <c>Mesh:*</c> settings as Sidecar/ and Gateway/ wire it:
    /// the Security, Traffic and Telemetry features, and Gateway in gateway mode.
    /// </summary>
    internal static async Task<WebApplication> StartProxyAsync(Dictionary<string, string?> settings, MeshProxyMode mode)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new RecentLog(settings.GetValueOrDefault("Mesh:Node:Id") ?? mode.ToString()));
        if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            builder.Configuration["Logging:LogLevel:Mesh"] = "Debug";
        }

        var proxy = builder.AddMeshProxy(mode)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>()
            .AddFeature<L4Feature>();
        if (mode == MeshProxyMode.Gateway)
        {
            proxy.AddFeature<GatewayFeature>();
        }

        var app = builder.Build();
        app.MapMeshProxy();
        await app.StartAsync();
        return app;
    }

    /// <summary>The proxy's own view: <c>/config_dump</c> on its admin listener.</summary>
    public async Task<JsonDocument> ConfigDumpAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return JsonDocument.Parse(await client.GetStringAsync($"http://127.0.0.1:{AdminPort}/config_dump"));
    }

    /// <summary>Workloads of the endpoints the proxy holds for clusters of <paramref name="serviceFqdn"/>.</summary>
    public async Task<IReadOnlySet<string>> EndpointWorkloadsAsync(string serviceFqdn)
    {
        using var dump = await ConfigDumpAsync();
        var workloads = new SortedSet<string>(StringComparer.Ordinal);
        if (!dump.RootElement.TryGetProperty("snapshot", out var snapshot) || !snapshot.TryGetProperty("clusters", out var clusters))
        {
            return workloads;
        }

        foreach (var cluster in clusters.EnumerateArray())
        {
            if (cluster.TryGetProperty("service", out var service) && service.GetString() == serviceFqdn
                && cluster.TryGetProperty("endpoints", out var endpoints))
            {
                foreach (var endpoint in endpoints.EnumerateArray())
                {
                    workloads.Add(endpoint.GetProperty("workload").GetString() ?? "");
                }
            }
        }

        return workloads;
    }

    public Task StopAsync() => StopAsync(CancellationToken.None);

    /// <summary>Stops it as a crash does: open connections are aborted, nothing drains.</summary>
    public Task KillAsync() => StopAsync(new CancellationToken(canceled: true));

    private async Task StopAsync(CancellationToken graceful)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync(graceful);
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>One workload's sidecar: its identity, the app port it fronts (none for a pure client) and whom it calls.</summary>
public sealed record SidecarSpec(string Id, string App, string Version)
{
    public int? AppPort { get; init; }

    public int ServicePort { get; init; } = 9080;

    public IReadOnlyList<string> Upstreams { get; init; } = [];

    public string Namespace { get; init; } = "default";

    /// <summary>More workload labels (e.g. <c>istio-locality</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Service ports of other protocols (TCP...), each with the app port behind it.</summary>
    public IReadOnlyList<PortSpec> Ports { get; init; } = [];

    /// <summary>Local bindings the app uses beyond <see cref="Upstreams"/> (TCP/TLS services).</summary>
    public IReadOnlyList<BindingSpec> Bindings { get; init; } = [];

    /// <summary>Istio's Bookinfo convention: "bookinfo-&lt;app&gt;".</summary>
    public string ServiceAccount => $"bookinfo-{App}";
}

/// <summary>A service port of a workload: its name (Istio's protocol prefix), number, the app's port and the protocol.</summary>
public sealed record PortSpec(string Name, int ServicePort, int AppPort, string Protocol = "TCP");

/// <summary>An outbound binding: the app connects to it for <see cref="Host"/>:<see cref="Port"/>.</summary>
public sealed record BindingSpec(string Host, int Port, string Protocol = "TCP");
