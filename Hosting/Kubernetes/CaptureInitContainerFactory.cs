using System.Globalization;
using k8s.Models;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// With <c>Mesh:Kubernetes:Capture=iptables</c>: Istio's <c>istio-init</c> for a meshed pod — an
/// init container from the sidecar's image that runs <c>capture install</c> (docs/capture.md) in
/// the pod's network namespace before the sidecar and the app start, with only
/// <c>NET_ADMIN</c>/<c>NET_RAW</c> — and the sidecar settings that go with it: the capture
/// listeners and the DNS proxy, run as the user and group the rules exclude.
/// </summary>
internal static class CaptureInitContainerFactory
{
    public const string ContainerName = "mesh-init";

    /// <summary>The sidecar's user and group, whose connections the rules never capture (Istio's istio-proxy).</summary>
    public const int ProxyUid = 1337;

    public static V1Container Create(MeshWorkload workload, MeshPublishModel model) => new()
    {
        Name = ContainerName,
        Image = model.Options.Image(MeshProgram.Sidecar.ImageRepository),
        ImagePullPolicy = model.Options.ImagePullPolicy,
        Args = InstallArguments(model.Plans[workload]),
        Resources = model.Options.SidecarResources.ToRequirements(),
        SecurityContext = new V1SecurityContext
        {
            // iptables needs root in the pod's network namespace and these two capabilities; nothing else.
            RunAsUser = 0,
            RunAsGroup = 0,
            RunAsNonRoot = false,
            Privileged = false,
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Add = ["NET_ADMIN", "NET_RAW"], Drop = ["ALL"] },
        },
    };

    /// <summary>
    /// The sidecar program's <c>capture install</c> arguments. Inbound, every port is captured but
    /// the sidecar's own: its admin port (the kubelet's probes) and its inbound listeners (the
    /// Service's targetPorts, where mesh callers already arrive with mTLS); so a connection to an
    /// app's port from anywhere enters the sidecar too. Outbound TCP and DNS of every process but
    /// the sidecar's go to the capture listener and the DNS proxy.
    /// </summary>
    public static List<string> InstallArguments(WorkloadPortPlan plan)
    {
        var notCaptured = plan.Inbound.Select(p => p.Service.InboundListenPort).Prepend(KubernetesPorts.ProxyAdmin).Distinct().Order();
        return
        [
            "capture", "install",
            "--envoy-port", Text(KubernetesPorts.CaptureOutbound),
            "--inbound-capture-port", Text(KubernetesPorts.CaptureInbound),
            "--proxy-uid", Text(ProxyUid),
            "--proxy-gid", Text(ProxyUid),
            "--istio-local-exclude-ports", string.Join(',', notCaptured.Select(Text)),
            "--redirect-dns",
            "--dns-capture-port", Text(KubernetesPorts.DnsProxy),
        ];
    }

    /// <summary>The sidecar's capture and DNS settings, on the ports the rules redirect to.</summary>
    public static IEnumerable<V1EnvVar> SidecarSettings()
    {
        yield return SidecarContainerFactory.Value("Mesh__Capture__Enabled", "true");
        yield return SidecarContainerFactory.Value("Mesh__Capture__OutboundPort", Text(KubernetesPorts.CaptureOutbound));
        yield return SidecarContainerFactory.Value("Mesh__Capture__InboundPort", Text(KubernetesPorts.CaptureInbound));
        yield return SidecarContainerFactory.Value("Mesh__Dns__Enabled", "true");
        yield return SidecarContainerFactory.Value("Mesh__Dns__Port", Text(KubernetesPorts.DnsProxy));
    }

    /// <summary>The sidecar's restricted context, as the user and group the rules exclude.</summary>
    public static V1SecurityContext SidecarSecurityContext()
    {
        var context = SidecarContainerFactory.RestrictedSecurityContext();
        context.RunAsUser = ProxyUid;
        context.RunAsGroup = ProxyUid;
        return context;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
