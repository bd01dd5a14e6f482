using System.Globalization;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.L4;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A real ingress gateway (the Gateway host's wiring) connected to the control plane, labelled
/// <c>istio: ingressgateway</c> in istio-system. Each listener serves one Gateway server port on a
/// port the OS picks, as Istio's ingress Service maps its ports (31400 → a pod port).
/// </summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessGateway(WebApplication app, string id)
    {
        _app = app;
        Id = id;
        Listeners = app.Services.GetRequiredService<ListenerSet>();
    }

    public string Id { get; }

    public ListenerSet Listeners { get; }

    public int AdminPort => Listeners.Admin.BoundPort;

    /// <summary>The local port serving Gateway server port <paramref name="servicePort"/>.</summary>
    public int PortFor(int servicePort) => Listeners.OfKind(ListenerKind.Gateway).First(l => l.GatewayPorts.Contains(servicePort)).BoundPort;

    public static async Task<InProcessGateway> StartAsync(InProcessControlPlane controlPlane, string id, params int[] servicePorts)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:Mode"] = "Gateway",
            ["Mesh:ControlPlane:Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh:ControlPlane:Token"] = controlPlane.MintProxyToken("istio-system", "istio-ingressgateway", id),
            ["Mesh:Node:Id"] = id,
            ["Mesh:Node:Workload"] = "istio-ingressgateway",
            ["Mesh:Node:Namespace"] = "istio-system",
            ["Mesh:Node:ServiceAccount"] = "istio-ingressgateway",
            ["Mesh:Node:Labels:istio"] = "ingressgateway",
            ["Mesh:Node:Labels:app"] = "istio-ingressgateway",
            ["Mesh:AdminPort"] = "0",
        };
        for (var i = 0; i < servicePorts.Length; i++)
        {
            settings[$"Mesh:Gateway:Listeners:{i}:Port"] = "0";
            settings[$"Mesh:Gateway:Listeners:{i}:ServicePort"] = servicePorts[i].ToString(CultureInfo.InvariantCulture);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            builder.Configuration["Logging:LogLevel:Mesh"] = "Debug";
        }

        builder.AddMeshProxy(MeshProxyMode.Gateway)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>()
            .AddFeature<L4Feature>()
            .AddFeature<GatewayFeature>();
        var app = builder.Build();
        app.MapMeshProxy();
        await app.StartAsync();
        return new InProcessGateway(app, id);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
