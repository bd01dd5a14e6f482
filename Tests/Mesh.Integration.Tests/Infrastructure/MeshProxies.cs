using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// The proxies of these tests, as the hosting integration configures them (<see cref="ProxyHost"/>
/// with the <c>Mesh:*</c> settings it sets, each with its own bootstrap token so sidecar-to-sidecar
/// traffic is mTLS), and the control plane as the hosting runs it. Their logs go to <see cref="RecentLog"/>.
/// </summary>
internal static class MeshProxies
{
    /// <summary>The node id of <see cref="StartIngressAsync"/>'s proxy.</summary>
    public const string IngressId = "istio-ingressgateway-0";

    /// <summary>
    /// The real control plane as the Aspire hosting runs it: production debounce timings, an admin
    /// token and a bootstrap key generated into <paramref name="root"/>/data (so its CA signs
    /// workload certificates), config in <paramref name="root"/>/config.
    /// </summary>
    /// <param name="settings">More configuration (ControlPlane:Gateways:Program...), over the defaults.</param>
    public static Task<TestControlPlane> StartControlPlaneAsync(string root, IReadOnlyDictionary<string, string?>? settings = null) =>
        TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            Root = root,
            AdminToken = null,
            GenerateAdminToken = true,
            GenerateBootstrapKey = true,
            ProductionTimings = true,
            Settings = settings ?? new Dictionary<string, string?>(),
            Logs = new RecentLog("control-plane"),
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Information,
        });

    /// <summary>A workload's sidecar.</summary>
    /// <param name="token">
    /// Its bootstrap token; by default minted now. A workload started while the control plane is
    /// down brings one minted before, as its pod brings the one the hosting gave it.
    /// </param>
    public static Task<ProxyHost> StartSidecarAsync(SidecarSpec spec, TestControlPlane controlPlane, string? token = null) =>
        StartAsync(spec.Settings(controlPlane.GrpcUri.ToString(), token ?? controlPlane.MintToken(spec.ServiceAccount, spec.Id, spec.Namespace)));

    /// <summary>A Gateway API Gateway's proxy (label <c>gateway.networking.k8s.io/gateway-name</c>), one HTTP listener per port.</summary>
    public static Task<ProxyHost> StartGatewayAsync(string gateway, string @namespace, TestControlPlane controlPlane, params int[] listenerPorts) =>
        StartGatewayAsync($"{gateway}-istio-0", @namespace, $"{gateway}-istio", controlPlane, listenerPorts, ("gateway.networking.k8s.io/gateway-name", gateway));

    /// <summary>Istio's ingress gateway as the Aspire hosting runs it: istio-system, labels <c>istio: ingressgateway</c>.</summary>
    public static Task<ProxyHost> StartIngressAsync(TestControlPlane controlPlane, params int[] listenerPorts) =>
        StartGatewayAsync(IngressId, "istio-system", "istio-ingressgateway", controlPlane, listenerPorts, ("istio", "ingressgateway"), ("app", "istio-ingressgateway"));

    /// <summary>A proxy of these settings, its logs in <see cref="RecentLog"/>.</summary>
    public static Task<ProxyHost> StartAsync(ProxySettings settings) =>
        ProxyHost.StartAsync(settings, logs: new RecentLog(settings.NodeId), recordRequests: false);

    /// <summary>A client for the gateway listener serving Gateway port <paramref name="listenerPort"/>.</summary>
    public static HttpClient GatewayClient(this ProxyHost gateway, int listenerPort) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{gateway.GatewayPort(listenerPort)}"), Timeout = TimeSpan.FromSeconds(10) };

    private static Task<ProxyHost> StartGatewayAsync(string id, string @namespace, string serviceAccount, TestControlPlane controlPlane, int[] listenerPorts, params (string Key, string Value)[] labels)
    {
        var settings = ProxySettings.Gateway(controlPlane.GrpcUri.ToString(), id, serviceAccount)
            .Identity(@namespace, serviceAccount, labels)
            .Token(controlPlane.MintToken(serviceAccount, id, @namespace));
        foreach (var port in listenerPorts)
        {
            settings.GatewayListener(port, protocol: "HTTP");
        }

        return StartAsync(settings);
    }
}
