using System.Globalization;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A real gateway proxy (the Gateway host's wiring) with the labels and namespace a Gateway API
/// Gateway's proxy has, one listener per Gateway listener port on a port the OS picks.
/// </summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessGateway(WebApplication app, string id)
    {
        _app = app;
        Id = id;
    }

    /// <summary>The proxy's node id.</summary>
    public string Id { get; }

    /// <summary>The local port serving a Gateway listener port.</summary>
    public int PortFor(int listenerPort) =>
        _app.Services.GetRequiredService<ListenerSet>().OfKind(ListenerKind.Gateway).First(l => l.GatewayPorts.Contains(listenerPort)).BoundPort;

    public HttpClient Client(int listenerPort) => new() { BaseAddress = new Uri($"http://127.0.0.1:{PortFor(listenerPort)}"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>A Gateway API Gateway's proxy (label <c>gateway.networking.k8s.io/gateway-name</c>).</summary>
    public static Task<InProcessGateway> StartAsync(string gateway, string ns, InProcessControlPlane controlPlane, params int[] listenerPorts) =>
        StartAsync($"{gateway}-istio-0", ns, $"{gateway}-istio", new() { ["gateway.networking.k8s.io/gateway-name"] = gateway }, controlPlane, listenerPorts);

    /// <summary>Istio's ingress gateway as the Aspire hosting runs it: istio-system, labels <c>istio: ingressgateway</c>.</summary>
    public static Task<InProcessGateway> StartIngressAsync(InProcessControlPlane controlPlane, params int[] listenerPorts) =>
        StartAsync(IngressId, "istio-system", "istio-ingressgateway", new() { ["istio"] = "ingressgateway", ["app"] = "istio-ingressgateway" }, controlPlane, listenerPorts);

    /// <summary>The node id of <see cref="StartIngressAsync"/>'s proxy.</summary>
    public const string IngressId = "istio-ingressgateway-0";

    private static async Task<InProcessGateway> StartAsync(string id, string ns, string serviceAccount, Dictionary<string, string> labels, InProcessControlPlane controlPlane, int[] listenerPorts)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:Mode"] = "Gateway",
            ["Mesh:ControlPlane:Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh:ControlPlane:Token"] = controlPlane.MintProxyToken(ns, serviceAccount, id),
            ["Mesh:Node:Id"] = id,
            ["Mesh:Node:Namespace"] = ns,
            ["Mesh:Node:ServiceAccount"] = serviceAccount,
            ["Mesh:Node:Workload"] = serviceAccount,
            ["Mesh:AdminPort"] = "0",
        };
        foreach (var (name, value) in labels)
        {
            settings[$"Mesh:Node:Labels:{name}"] = value;
        }

        for (var i = 0; i < listenerPorts.Length; i++)
        {
            settings[$"Mesh:Gateway:Listeners:{i}:Port"] = "0";
            settings[$"Mesh:Gateway:Listeners:{i}:ServicePort"] = listenerPorts[i].ToString(CultureInfo.InvariantCulture);
            settings[$"Mesh:Gateway:Listeners:{i}:Protocol"] = "HTTP";
        }

        var app = await InProcessSidecar.StartProxyAsync(settings, MeshProxyMode.Gateway);
        return new InProcessGateway(app, id);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
