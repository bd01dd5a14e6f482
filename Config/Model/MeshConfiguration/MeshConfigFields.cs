namespace Mesh.Config.Model.MeshConfiguration;

/// <summary>
/// Istio's MeshConfig fields (mesh/v1alpha1/config.proto) other than <c>extensionProviders</c> and
/// <c>outboundTrafficPolicy</c>, each refused by name with what Mesh does instead, and the provider
/// kinds Mesh does not implement: a real Istio field is never reported as unknown.
/// </summary>
public static class MeshConfigFields
{
    private const string ControlPlaneOption = "a control plane option in Mesh, not mesh config";
    private const string Telemetry = "use the Telemetry resource (docs/telemetry.md)";
    private const string Proxy = "the proxies' ports and settings come from their own options (Mesh:*)";
    private const string NotImplemented = "not implemented by Mesh";

    /// <summary>Field name → why it is refused.</summary>
    public static IReadOnlyDictionary<string, string> Unsupported { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["proxyListenPort"] = Proxy,
        ["proxyInboundListenPort"] = Proxy,
        ["proxyHttpPort"] = Proxy,
        ["connectTimeout"] = "use DestinationRule trafficPolicy.connectionPool.tcp.connectTimeout",
        ["protocolDetectionTimeout"] = NotImplemented,
        ["tcpKeepalive"] = "use DestinationRule trafficPolicy.connectionPool.tcp.tcpKeepalive",
        ["ingressClass"] = "Kubernetes Ingress resources are not read; use Gateway and VirtualService",
        ["ingressService"] = "Kubernetes Ingress resources are not read; use Gateway and VirtualService",
        ["ingressControllerMode"] = "Kubernetes Ingress resources are not read; use Gateway and VirtualService",
        ["ingressSelector"] = "Kubernetes Ingress resources are not read; use Gateway and VirtualService",
        ["enableTracing"] = Telemetry,
        ["accessLogFile"] = Telemetry,
        ["accessLogFormat"] = Telemetry,
        ["accessLogEncoding"] = Telemetry,
        ["enableEnvoyAccessLogService"] = Telemetry,
        ["disableEnvoyListenerLog"] = Telemetry,
        ["defaultConfig"] = Proxy,
        ["inboundTrafficPolicy"] = Proxy,
        ["configSources"] = "the control plane reads its config directory, the admin API or the Kubernetes CRDs",
        ["enableAutoMtls"] = "auto mTLS is always on; use DestinationRule tls to override it per destination",
        ["trustDomain"] = ControlPlaneOption,
        ["trustDomainAliases"] = NotImplemented,
        ["caCertificates"] = "the mesh CA's roots are the trust bundle (docs/security.md)",
        ["defaultServiceExportTo"] = NotImplemented,
        ["defaultVirtualServiceExportTo"] = NotImplemented,
        ["defaultDestinationRuleExportTo"] = NotImplemented,
        ["rootNamespace"] = ControlPlaneOption,
        ["localityLbSetting"] = "use DestinationRule trafficPolicy.loadBalancer.localityLbSetting",
        ["dnsRefreshRate"] = NotImplemented,
        ["h2UpgradePolicy"] = "use DestinationRule trafficPolicy.connectionPool.http.h2UpgradePolicy",
        ["inboundClusterStatName"] = NotImplemented,
        ["outboundClusterStatName"] = NotImplemented,
        ["certificates"] = NotImplemented,
        ["serviceSettings"] = NotImplemented,
        ["enablePrometheusMerge"] = Telemetry,
        ["verifyCertificateAtClient"] = "use DestinationRule tls",
        ["ca"] = "the control plane is the mesh CA",
        ["defaultProviders"] = Telemetry,
        ["discoverySelectors"] = NotImplemented,
        ["pathNormalization"] = NotImplemented,
        ["defaultHttpRetryPolicy"] = "use VirtualService retries",
        ["meshMTLS"] = NotImplemented,
        ["tlsDefaults"] = NotImplemented,
        ["compliancePolicy"] = NotImplemented,
    };

    /// <summary>ExtensionProvider kinds other than the external authorizers.</summary>
    public static IReadOnlySet<string> UnsupportedProviders { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "zipkin", "lightstep", "datadog", "stackdriver", "opencensus", "skywalking", "opentelemetry",
        "prometheus", "envoyFileAccessLog", "envoyHttpAls", "envoyTcpAls", "envoyOtelAls",
    };
}
