using System.Globalization;
using System.Text.Json;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;
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
            ["Mesh:ControlPlane:Token"] = token ?? controlPlane.MintProxyToken("default", spec.ServiceAccount, spec.Id),
            ["Mesh:Node:Id"] = spec.Id,
            ["Mesh:Node:ServiceAccount"] = spec.ServiceAccount,
            ["Mesh:Node:Workload"] = spec.Id,
            ["Mesh:Node:Labels:app"] = spec.App,
            ["Mesh:Node:Labels:version"] = spec.Version,
            ["Mesh:AdminPort"] = "0",
        };
        if (spec.AppPort is { } appPort)
        {
            settings["Mesh:Service"] = spec.App;
            settings["Mesh:Inbound:0:Name"] = "http";
            settings["Mesh:Inbound:0:Port"] = spec.ServicePort.ToString(CultureInfo.InvariantCulture);
            settings["Mesh:Inbound:0:TargetPort"] = appPort.ToString(CultureInfo.InvariantCulture);
            settings["Mesh:Inbound:0:ListenPort"] = "0";
        }

        for (var i = 0; i < spec.Upstreams.Count; i++)
        {
            settings[$"Mesh:Outbound:{i}:Host"] = spec.Upstreams[i];
            settings[$"Mesh:Outbound:{i}:Port"] = spec.ServicePort.ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Outbound:{i}:ListenPort"] = "0";
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
        if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
        }

        var proxy = builder.AddMeshProxy(mode)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>();
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

    /// <summary>Istio's Bookinfo convention: "bookinfo-&lt;app&gt;".</summary>
    public string ServiceAccount => $"bookinfo-{App}";
}
