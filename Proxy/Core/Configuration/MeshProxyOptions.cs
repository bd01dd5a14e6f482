namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// Declarative settings of one proxy process, bound from the "Mesh" configuration section
/// (environment variables <c>Mesh__...</c>; see docs/proxy.md for the full list).
/// </summary>
public sealed class MeshProxyOptions
{
    public const string SectionName = "Mesh";

    public MeshProxyMode Mode { get; set; } = MeshProxyMode.Sidecar;

    public ControlPlaneOptions ControlPlane { get; set; } = new();

    public NodeOptions Node { get; set; } = new();

    /// <summary>Sidecar: the service this workload is an endpoint of (short name, e.g. "reviews").</summary>
    public string? Service { get; set; }

    /// <summary>Sidecar: where the local app listens (inbound traffic is forwarded there).</summary>
    public string AppAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Address inbound, gateway and admin listeners bind to. Outbound and HTTP_PROXY listeners
    /// always bind to loopback because only the local app may use them.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    public List<InboundPortOptions> Inbound { get; set; } = [];

    public List<OutboundBindingOptions> Outbound { get; set; } = [];

    /// <summary>Sidecar: optional catch-all listener for apps that use HTTP_PROXY (routes by Host).</summary>
    public int? HttpProxyPort { get; set; }

    /// <summary>Admin listener (/ready, /healthz, /config_dump, /listeners). 0 picks a free port.</summary>
    public int AdminPort { get; set; }

    /// <summary>
    /// Sidecar: the app's Kubernetes probes as JSON (Istio's <c>ISTIO_KUBE_APP_PROBERS</c>), keyed by
    /// the admin path the kubelet calls instead, e.g.
    /// <c>{"/app-health/details/readyz":{"httpGet":{"path":"/health","port":8080},"timeoutSeconds":1}}</c>.
    /// Written by the Kubernetes publish step; see docs/kubernetes.md.
    /// </summary>
    public string? AppProbers { get; set; }

    /// <summary>
    /// Sidecar: how often (milliseconds) to check that the app accepts connections on its inbound
    /// target ports; the result is reported to the control plane, which keeps a workload whose app
    /// is down out of its services' endpoints. 0 (the default) does not check.
    /// </summary>
    public int AppHealthIntervalMs { get; set; }

    /// <summary>
    /// Sidecar on a VM: its WorkloadGroup's readiness probe as JSON (Istio's <c>ReadinessProbe</c>:
    /// <c>httpGet</c>, <c>tcpSocket</c> or <c>exec</c>, with the Kubernetes timing fields), run
    /// against the app and reported to the control plane instead of <see cref="AppHealthIntervalMs"/>'s
    /// connect check. <c>meshctl workload entry configure</c> writes it (docs/vm.md).
    /// </summary>
    public string? ReadinessProbe { get; set; }

    public GatewayOptions Gateway { get; set; } = new();

    /// <summary>Sidecar: transparent capture listeners (docs/capture.md).</summary>
    public CaptureOptions Capture { get; set; } = new();

    /// <summary>Sidecar: the DNS proxy (docs/capture.md §4).</summary>
    public DnsProxyOptions Dns { get; set; } = new();

    /// <summary>
    /// Which client carries proxied HTTP/1.1 requests upstream (docs/proxy.md, "Upstream HTTP/1.1
    /// client"): HttpClient (the default), or the mesh's own connection pool, which hands to
    /// HttpClient whatever needs its features. Environment: <c>Mesh__Http1Client=Mesh</c>.
    /// </summary>
    public UpstreamHttp1Client Http1Client { get; set; } = UpstreamHttp1Client.HttpClient;
}
