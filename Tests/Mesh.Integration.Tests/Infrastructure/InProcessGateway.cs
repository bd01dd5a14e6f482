using System.Globalization;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A real gateway proxy (the Gateway host's wiring) connected to the control plane, one listener
/// per Gateway port on a port the OS picks (as Istio's ingress Service maps 31400 to a pod port):
/// Istio's ingress gateway (<c>istio: ingressgateway</c> in istio-system), or the proxy of a
/// Gateway API Gateway (its labels and namespace).
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

    /// <summary>The local port serving a Gateway (server or listener) port.</summary>
    public int PortFor(int gatewayPort) => Listeners.OfKind(ListenerKind.Gateway).First(l => l.GatewayPorts.Contains(gatewayPort)).BoundPort;

    public HttpClient Client(int listenerPort) => new() { BaseAddress = new Uri($"http://127.0.0.1:{PortFor(listenerPort)}"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Istio's ingress gateway; listener protocols come from the Gateway servers.</summary>
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
        AddListeners(settings, servicePorts, protocol: null);
        return new InProcessGateway(await InProcessSidecar.StartProxyAsync(settings, MeshProxyMode.Gateway), id);
    }

    /// <summary>The proxy of Gateway API Gateway <paramref name="gateway"/> in <paramref name="ns"/>, HTTP listeners.</summary>
    public static async Task<InProcessGateway> StartAsync(string gateway, string ns, InProcessControlPlane controlPlane, params int[] listenerPorts)
    {
        var id = $"{gateway}-istio-0";
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:Mode"] = "Gateway",
            ["Mesh:ControlPlane:Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh:ControlPlane:Token"] = controlPlane.MintProxyToken(ns, $"{gateway}-istio", id),
            ["Mesh:Node:Id"] = id,
            ["Mesh:Node:Namespace"] = ns,
            ["Mesh:Node:ServiceAccount"] = $"{gateway}-istio",
            ["Mesh:Node:Workload"] = $"{gateway}-istio",
            ["Mesh:Node:Labels:gateway.networking.k8s.io/gateway-name"] = gateway,
            ["Mesh:AdminPort"] = "0",
        };
        AddListeners(settings, listenerPorts, "HTTP");
        return new InProcessGateway(await InProcessSidecar.StartProxyAsync(settings, MeshProxyMode.Gateway), id);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void AddListeners(Dictionary<string, string?> settings, int[] ports, string? protocol)
    {
        for (var i = 0; i < ports.Length; i++)
        {
            settings[$"Mesh:Gateway:Listeners:{i}:Port"] = "0";
            settings[$"Mesh:Gateway:Listeners:{i}:ServicePort"] = ports[i].ToString(CultureInfo.InvariantCulture);
            if (protocol is not null)
            {
                settings[$"Mesh:Gateway:Listeners:{i}:Protocol"] = protocol;
            }
        }
    }
}
