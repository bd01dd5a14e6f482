using Mesh.Testing.ControlPlane;
using Mesh.Testing.Logging;
using Mesh.Testing.Proxy;

namespace Mesh.Testing.Workloads;

/// <summary>Istio's ingress gateway: the proxy in gateway mode, labels istio=ingressgateway, its own service account.</summary>
public static class IngressGateway
{
    public const string Name = "istio-ingressgateway";

    public const string ServiceAccount = "istio-ingressgateway-service-account";

    /// <param name="servicePorts">One listener (port chosen by the OS) per Gateway port; 80 by default.</param>
    public static async Task<ProxyHost> StartAsync(TestControlPlane controlPlane, string name = Name, string @namespace = "default", CapturedLogs? logs = null, params int[] servicePorts)
    {
        var settings = ProxySettings.Gateway(controlPlane.GrpcUri.ToString(), name, name)
            .Identity(@namespace, ServiceAccount, ("istio", "ingressgateway"))
            .Token(controlPlane.TokenFor(ServiceAccount, name, @namespace));
        foreach (var port in servicePorts.Length == 0 ? [80] : servicePorts)
        {
            settings.GatewayListener(port);
        }

        return await ProxyHost.StartAsync(settings, logs: logs);
    }
}
