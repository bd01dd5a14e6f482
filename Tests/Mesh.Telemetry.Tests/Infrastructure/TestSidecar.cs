using System.Globalization;
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

namespace Mesh.Telemetry.Tests.Infrastructure;

/// <summary>What a workload's sidecar is: identity, the app it fronts and the services it calls.</summary>
public sealed record SidecarSpec(string Workload, string App, string Version)
{
    /// <summary>The app's port (an inbound listener on service port 9080 forwards to it); null for a client-only workload.</summary>
    public int? AppPort { get; init; }

    public string[] Upstreams { get; init; } = [];

    public string Protocol { get; init; } = "HTTP";
}

/// <summary>A real sidecar (the Sidecar host's wiring) connected to the test's control plane.</summary>
public sealed class TestSidecar : IAsyncDisposable
{
    public const int ServicePort = 9080;

    private readonly WebApplication _app;

    private TestSidecar(WebApplication app, SidecarSpec spec, string id)
    {
        _app = app;
        Spec = spec;
        Id = id;
        Listeners = app.Services.GetRequiredService<ListenerSet>();
    }

    public SidecarSpec Spec { get; }

    public string Id { get; }

    public ListenerSet Listeners { get; }

    public IServiceProvider Services => _app.Services;

    public int AdminPort => Listeners.Admin.BoundPort;

    /// <summary>Where the workload's app calls <paramref name="service"/> (its outbound listener).</summary>
    public Uri Outbound(string service) =>
        new($"http://127.0.0.1:{Listeners.OfKind(ListenerKind.Outbound).First(l => l.UpstreamHost == service).BoundPort}");

    public static async Task<TestSidecar> StartAsync(SidecarSpec spec, string @namespace, Uri controlPlane, string token, CapturedLogs logs)
    {
        var id = $"{spec.Workload}.{@namespace}";
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:Mode"] = "Sidecar",
            ["Mesh:ControlPlane:Address"] = controlPlane.ToString(),
            ["Mesh:ControlPlane:Token"] = token,
            ["Mesh:Node:Id"] = id,
            ["Mesh:Node:Workload"] = spec.Workload,
            ["Mesh:Node:Namespace"] = @namespace,
            ["Mesh:Node:ServiceAccount"] = spec.App,
            ["Mesh:Node:Labels:app"] = spec.App,
            ["Mesh:Node:Labels:version"] = spec.Version,
            ["Mesh:AdminPort"] = "0",
        };
        if (spec.AppPort is { } appPort)
        {
            settings["Mesh:Service"] = spec.App;
            settings["Mesh:Inbound:0:Name"] = "http";
            settings["Mesh:Inbound:0:Port"] = ServicePort.ToString(CultureInfo.InvariantCulture);
            settings["Mesh:Inbound:0:TargetPort"] = appPort.ToString(CultureInfo.InvariantCulture);
            settings["Mesh:Inbound:0:Protocol"] = spec.Protocol;
            settings["Mesh:Inbound:0:ListenPort"] = "0";
        }

        for (var i = 0; i < spec.Upstreams.Length; i++)
        {
            settings[$"Mesh:Outbound:{i}:Host"] = spec.Upstreams[i];
            settings[$"Mesh:Outbound:{i}:Port"] = ServicePort.ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Outbound:{i}:Protocol"] = spec.Protocol;
            settings[$"Mesh:Outbound:{i}:ListenPort"] = "0";
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.AddMeshProxy()
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>()
            .AddFeature<GatewayFeature>();
        var app = builder.Build();
        app.MapMeshProxy();
        await app.StartAsync();
        return new TestSidecar(app, spec, id);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
