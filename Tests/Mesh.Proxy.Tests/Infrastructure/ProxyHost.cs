using System.Text.Json;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>A real proxy (the same wiring as the Sidecar/Gateway hosts) on 127.0.0.1 ports chosen by the OS.</summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProxyHost(WebApplication app, RecordingObserver observer)
    {
        _app = app;
        Observer = observer;
        Listeners = app.Services.GetRequiredService<ListenerSet>();
    }

    public ListenerSet Listeners { get; }

    public RecordingObserver Observer { get; }

    public IServiceProvider Services => _app.Services;

    public int AdminPort => Listeners.Admin.BoundPort;

    public static async Task<ProxyHost> StartAsync(ProxySettings settings, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings.Values);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
        {
            // Debugging aid: MESH_TEST_LOG=1 dotnet test ... shows the proxies' logs.
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            builder.Configuration["Logging:LogLevel:Yarp"] = "Debug";
            builder.Configuration["Logging:LogLevel:Mesh"] = "Debug";
        }

        builder.AddMeshProxy()
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>()
            .AddFeature<GatewayFeature>();
        configureServices?.Invoke(builder.Services);
        var observer = new RecordingObserver();
        builder.Services.AddSingleton<IMeshRequestObserver>(observer);
        var app = builder.Build();
        app.MapMeshProxy();
        var host = new ProxyHost(app, observer);
        await app.StartAsync();
        return host;
    }

    public int Port(ListenerKind kind, int index = 0) => Listeners.OfKind(kind).ElementAt(index).BoundPort;

    public int OutboundPort(string host) => Listeners.OfKind(ListenerKind.Outbound).First(l => l.UpstreamHost == host).BoundPort;

    public async Task<JsonDocument> ConfigDumpAsync()
    {
        using var client = TestHttp.CreateClient();
        var json = await client.GetStringAsync(TestHttp.Local(AdminPort, "/config_dump"));
        return JsonDocument.Parse(json);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
