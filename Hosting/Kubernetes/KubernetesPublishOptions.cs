using Aspire.Hosting.ApplicationModel;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Settings of the <c>publish-kubernetes</c> step, from the AppHost's configuration section
/// <c>Mesh:Kubernetes</c> (command line <c>--Mesh:Kubernetes:Registry=ghcr.io/me</c>, environment
/// <c>Mesh__Kubernetes__Registry</c>, appsettings or user secrets). docs/kubernetes.md lists them.
/// </summary>
internal sealed record KubernetesPublishOptions
{
    public const string SectionName = "Mesh:Kubernetes";

    /// <summary>Namespace of the meshed workloads, their Services and the gateways (default: the mesh's namespace).</summary>
    public required string Namespace { get; init; }

    /// <summary>Namespace of the control plane; also the mesh's root namespace (mesh-wide policies), as istio-system is Istio's.</summary>
    public string ControlPlaneNamespace { get; init; } = "istio-system";

    /// <summary>Image registry prefix (<c>ghcr.io/me</c>); empty for images named without one.</summary>
    public string Registry { get; init; } = "";

    public string Tag { get; init; } = "latest";

    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>
    /// Replicas of every meshed workload and gateway, unless <see cref="ReplicasByResource"/> names
    /// it or the resource has Aspire's <c>WithReplicas</c>.
    /// </summary>
    public int Replicas { get; init; } = 1;

    public int ControlPlaneReplicas { get; init; } = 1;

    /// <summary>Per-resource replica counts (<c>Mesh:Kubernetes:Workloads:productpage:Replicas=3</c>).</summary>
    public IReadOnlyDictionary<string, int> ReplicasByResource { get; init; } = new Dictionary<string, int>();

    public KubernetesResourceSettings AppResources { get; init; } = new("100m", "128Mi", null, "512Mi");

    public KubernetesResourceSettings SidecarResources { get; init; } = new("50m", "64Mi", null, "256Mi");

    public KubernetesResourceSettings ControlPlaneResources { get; init; } = new("100m", "128Mi", null, "512Mi");

    public KubernetesResourceSettings GatewayResources { get; init; } = new("100m", "128Mi", null, "512Mi");

    /// <summary>OTLP endpoint for every container (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); none when empty.</summary>
    public string OtlpEndpoint { get; init; } = "";

    /// <summary>Emit NetworkPolicies that admit other pods only to the sidecar's inbound ports.</summary>
    public bool NetworkPolicies { get; init; } = true;

    /// <summary>
    /// <c>none</c> (default) or <c>iptables</c>: every meshed pod gets Istio's <c>istio-init</c> — an
    /// init container installing the sidecar's capture rules — and its sidecar runs the capture
    /// listeners and DNS proxy under the excluded user (docs/kubernetes.md, docs/capture.md).
    /// </summary>
    public string Capture { get; init; } = "none";

    /// <summary>Whether pods get transparent capture (<see cref="Capture"/> is <c>iptables</c>).</summary>
    public bool TransparentCapture => Capture == "iptables";

    /// <summary>
    /// A resource's Deployment replicas: <c>Mesh:Kubernetes:Workloads:&lt;name&gt;:Replicas</c>, else
    /// its <c>WithReplicas(n)</c> (what the AppHost runs locally), else <see cref="Replicas"/>.
    /// </summary>
    /// <summary>A Deployment's replicas by resource name (gateways: no <c>WithReplicas</c>).</summary>
    public int ReplicasOf(string resourceName) =>
        ReplicasByResource.TryGetValue(resourceName, out var replicas) ? replicas : Replicas;

    public int ReplicasOf(IResource resource) =>
        ReplicasByResource.TryGetValue(resource.Name, out var replicas) ? replicas
        : resource.TryGetLastAnnotation<ReplicaAnnotation>(out var annotation) ? annotation.Replicas
        : Replicas;

    /// <summary>The full image reference of a repository name.</summary>
    public string Image(string repository) =>
        (Registry.Length == 0 ? "" : Registry.TrimEnd('/') + "/") + repository + ":" + Tag;

    public static KubernetesPublishOptions FromConfiguration(IConfiguration configuration, string defaultNamespace)
    {
        var section = configuration.GetSection(SectionName);
        var defaults = new KubernetesPublishOptions { Namespace = defaultNamespace };
        var replicas = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var workload in section.GetSection("Workloads").GetChildren())
        {
            if (workload["Replicas"] is { } value)
            {
                replicas[workload.Key] = Count(value, $"{SectionName}:Workloads:{workload.Key}:Replicas");
            }
        }

        var resources = section.GetSection("Resources");
        return defaults with
        {
            Namespace = Text(section, "Namespace") ?? defaults.Namespace,
            ControlPlaneNamespace = Text(section, "ControlPlaneNamespace") ?? defaults.ControlPlaneNamespace,
            Registry = section["Registry"]?.Trim() ?? defaults.Registry,
            Tag = Text(section, "Tag") ?? defaults.Tag,
            ImagePullPolicy = Text(section, "ImagePullPolicy") is { } policy ? PullPolicy(policy) : defaults.ImagePullPolicy,
            Replicas = section["Replicas"] is { } all ? Count(all, $"{SectionName}:Replicas") : defaults.Replicas,
            ControlPlaneReplicas = section["ControlPlaneReplicas"] is { } cp ? Count(cp, $"{SectionName}:ControlPlaneReplicas") : defaults.ControlPlaneReplicas,
            ReplicasByResource = replicas,
            AppResources = defaults.AppResources.Override(resources.GetSection("App")),
            SidecarResources = defaults.SidecarResources.Override(resources.GetSection("Sidecar")),
            ControlPlaneResources = defaults.ControlPlaneResources.Override(resources.GetSection("ControlPlane")),
            GatewayResources = defaults.GatewayResources.Override(resources.GetSection("Gateway")),
            OtlpEndpoint = section["OtlpEndpoint"]?.Trim() ?? defaults.OtlpEndpoint,
            NetworkPolicies = section["NetworkPolicies"] is { } flag ? Flag(flag, $"{SectionName}:NetworkPolicies") : defaults.NetworkPolicies,
            Capture = Text(section, "Capture") is { } capture ? CaptureMode(capture) : defaults.Capture,
        };
    }

    private static string? Text(IConfigurationSection section, string key) =>
        string.IsNullOrWhiteSpace(section[key]) ? null : section[key]!.Trim();

    private static int Count(string text, string key) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new InvalidOperationException($"{key} must be a whole number >= 0 (got '{text}')");

    private static bool Flag(string text, string key) =>
        bool.TryParse(text, out var value) ? value : throw new InvalidOperationException($"{key} must be true or false (got '{text}')");

    private static string CaptureMode(string text) => text switch
    {
        "none" or "iptables" => text,
        _ => throw new InvalidOperationException($"{SectionName}:Capture must be none or iptables (got '{text}')"),
    };

    private static string PullPolicy(string text) => text switch
    {
        "Always" or "IfNotPresent" or "Never" => text,
        _ => throw new InvalidOperationException($"{SectionName}:ImagePullPolicy must be Always, IfNotPresent or Never (got '{text}')"),
    };
}
