namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Fixed container ports inside a pod (Aspire allocates free ports locally; a pod has its own
/// network namespace, so fixed ports are safe and make manifests stable). The sidecar's ports sit
/// in Istio's 15000 range so they never collide with an app's.
/// </summary>
internal static class KubernetesPorts
{
    /// <summary>Sidecar and gateway admin listener: /ready, /healthz (Istio's status port).</summary>
    public const int ProxyAdmin = 15021;

    /// <summary>With transparent capture: the sidecar's outbound and inbound capture listeners and its DNS proxy (Istio's 15001, 15006, 15053).</summary>
    public const int CaptureOutbound = 15001;

    public const int CaptureInbound = 15006;

    public const int DnsProxy = 15053;

    /// <summary>First sidecar inbound listener; one per service port, in the service's port order.</summary>
    public const int FirstInbound = 15100;

    /// <summary>First sidecar outbound listener (loopback only); one per upstream service port.</summary>
    public const int FirstOutbound = 15200;

    /// <summary>First app port for endpoints that do not fix a target port (.NET containers' 8080).</summary>
    public const int FirstApp = 8080;

    /// <summary>Control plane: discovery and CA gRPC (Istio's xDS port) and admin API (Istio's monitoring port).</summary>
    public const int ControlPlaneGrpc = 15012;

    public const int ControlPlaneAdmin = 15014;

    /// <summary>Gateway listeners behind the LoadBalancer's 80 and 443 (Istio's ingress gateway ports).</summary>
    public const int GatewayHttp = 8080;

    public const int GatewayHttps = 8443;
}
