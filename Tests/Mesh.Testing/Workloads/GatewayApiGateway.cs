using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;

namespace Mesh.Testing.Workloads;

/// <summary>
/// The proxy Istio deploys for a Gateway API Gateway: deployment and service account
/// <c>&lt;gateway&gt;-istio</c>, label <c>gateway.networking.k8s.io/gateway-name</c>, in the Gateway's
/// namespace; one listener per Gateway listener port, on a port the OS picks.
/// </summary>
public static class GatewayApiGateway
{
    /// <summary>The proxy's node id (the first pod of the deployment).</summary>
    public static string ProxyId(string gateway) => $"{gateway}-istio-0";

    public static Task<ProxyHost> StartAsync(TestControlPlane controlPlane, string gateway, string @namespace = "default", params int[] listenerPorts)
    {
        var workload = $"{gateway}-istio";
        var settings = ProxySettings.Gateway(controlPlane.GrpcUri.ToString(), ProxyId(gateway), workload)
            .Identity(@namespace, workload, ("gateway.networking.k8s.io/gateway-name", gateway))
            .Token(controlPlane.TokenFor(workload, ProxyId(gateway), @namespace));
        foreach (var port in listenerPorts)
        {
            settings.GatewayListener(port);
        }

        return ProxyHost.StartAsync(settings);
    }
}
