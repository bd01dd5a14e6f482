using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>An ingress gateway (the proxy in gateway mode, labels istio=ingressgateway) serving Gateway port 80.</summary>
public sealed class IngressGateway : IAsyncDisposable
{
    public const string ServiceAccount = "istio-ingressgateway-service-account";

    private readonly WebApplication _app;

    private IngressGateway(WebApplication app)
    {
        _app = app;
    }

    public ListenerSet Listeners => _app.Services.GetRequiredService<ListenerSet>();

    public ProxySnapshot? Snapshot => _app.Services.GetRequiredService<RoutingState>().Current?.Snapshot;

    public Uri Url(string pathAndQuery) => new($"http://127.0.0.1:{Listeners.OfKind(ListenerKind.Gateway).Single().BoundPort}{pathAndQuery}");

    public static async Task<IngressGateway> StartAsync(SecureControlPlane controlPlane)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mesh:ControlPlane:Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh:ControlPlane:Token"] = SecureControlPlane.Token(ServiceAccount, "istio-ingressgateway"),
            ["Mesh:Node:Id"] = "istio-ingressgateway",
            ["Mesh:Node:Workload"] = "istio-ingressgateway",
            ["Mesh:Node:ServiceAccount"] = ServiceAccount,
            ["Mesh:Node:Labels:istio"] = "ingressgateway",
            ["Mesh:AdminPort"] = "0",
            ["Mesh:Gateway:Listeners:0:Port"] = "0",
            ["Mesh:Gateway:Listeners:0:ServicePort"] = "80",
        });
        builder.Logging.ClearProviders();
        builder.AddMeshProxy(MeshProxyMode.Gateway)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>()
            .AddFeature<GatewayFeature>();
        var app = builder.Build();
        app.MapMeshProxy();
        await app.StartAsync();
        return new IngressGateway(app);
    }

    public Task WaitForSnapshotAsync(Func<ProxySnapshot, bool> condition, string what) =>
        Poll.UntilAsync(() => Snapshot is { } snapshot && condition(snapshot), $"the gateway: {what}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
