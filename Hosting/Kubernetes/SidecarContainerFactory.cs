using System.Globalization;
using k8s.Models;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The sidecar of a meshed pod: the same <c>Mesh__*</c> settings MeshWiring gives it locally
/// (docs/proxy.md), with fixed ports, the node identity from the downward API, and the control
/// plane's Service address. It runs as a native sidecar (an init container with
/// <c>restartPolicy: Always</c>), so the app container starts only once its startup probe — the
/// proxy's readiness, i.e. its first snapshot applied — passes, and it outlives the app on shutdown.
/// </summary>
internal static class SidecarContainerFactory
{
    public const string ContainerName = "mesh-sidecar";
    public const string TokenVolume = "mesh-token";
    public const string TokenDirectory = "/var/run/secrets/mesh/tokens";
    public const string TokenFile = "mesh-token";

    /// <summary>Audience of the projected service account token the CSR and discovery APIs accept (TokenReview).</summary>
    public const string TokenAudience = "mesh-controlplane";

    /// <param name="workload">The meshed workload whose pod this sidecar joins.</param>
    /// <param name="model">The published mesh: ports, control plane address, options.</param>
    /// <param name="appProbers">The app's rewritten probes (<see cref="AppProbeRewriter"/>) the sidecar runs on its admin port; null when none.</param>
    public static V1Container Create(MeshWorkload workload, MeshPublishModel model, string? appProbers)
    {
        var plan = model.Plans[workload];
        var env = new List<V1EnvVar>
        {
            Value("Mesh__Mode", "Sidecar"),
            Value("Mesh__ControlPlane__Address", $"http://{model.ControlPlaneHost}:{KubernetesPorts.ControlPlaneGrpc}"),
            Value("Mesh__ControlPlane__TokenFile", $"{TokenDirectory}/{TokenFile}"),
        };
        env.AddRange(NodeIdentity(workload.App.Name, Labels(workload)));
        env.Add(Value("Mesh__Service", workload.AppLabel));
        env.Add(Value("Mesh__AppAddress", "127.0.0.1"));
        env.Add(Value("Mesh__BindAddress", "0.0.0.0"));
        env.Add(Value("Mesh__AdminPort", Text(KubernetesPorts.ProxyAdmin)));
        if (appProbers is not null)
        {
            env.Add(Value(AppProbeRewriter.EnvironmentVariable, appProbers));
        }

        for (var i = 0; i < plan.Inbound.Count; i++)
        {
            var inbound = plan.Inbound[i];
            var prefix = $"Mesh__Inbound__{i}__";
            env.Add(Value(prefix + "Name", inbound.Service.Port.Name));
            env.Add(Value(prefix + "Port", Text(inbound.Service.Port.Port)));
            env.Add(Value(prefix + "Protocol", inbound.Service.Port.Protocol));
            env.Add(Value(prefix + "ListenPort", Text(inbound.Service.InboundListenPort)));
            env.Add(Value(prefix + "TargetPort", Text(inbound.AppPort)));
        }

        for (var i = 0; i < plan.Outbound.Count; i++)
        {
            var outbound = plan.Outbound[i];
            var prefix = $"Mesh__Outbound__{i}__";
            env.Add(Value(prefix + "Host", outbound.Service));
            env.Add(Value(prefix + "Port", Text(outbound.Port.Port)));
            env.Add(Value(prefix + "Protocol", outbound.Port.Protocol));
            env.Add(Value(prefix + "ListenPort", Text(outbound.ListenPort)));
        }

        if (model.Options.TransparentCapture)
        {
            env.AddRange(CaptureInitContainerFactory.SidecarSettings());
        }

        var telemetry = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AppEnvironmentBuilder.AddTelemetry(telemetry, workload.SidecarName, model.Options);
        env.AddRange(telemetry.Select(e => Value(e.Key, e.Value)));

        return new V1Container
        {
            Name = ContainerName,
            Image = model.Options.Image(MeshProgram.Sidecar.ImageRepository),
            ImagePullPolicy = model.Options.ImagePullPolicy,
            RestartPolicy = "Always",
            Env = env,
            Args = LabelArguments(Labels(workload)),
            Ports =
            [
                .. plan.Inbound.Select((p, i) => new V1ContainerPort { Name = $"mesh-in-{i}", ContainerPort = p.Service.InboundListenPort, Protocol = "TCP" }),
                new V1ContainerPort { Name = "mesh-admin", ContainerPort = KubernetesPorts.ProxyAdmin, Protocol = "TCP" },
            ],
            Resources = model.Options.SidecarResources.ToRequirements(),
            StartupProbe = ProxyProbe("/ready", failureThreshold: 60, periodSeconds: 1),
            ReadinessProbe = ProxyProbe("/ready", failureThreshold: 3, periodSeconds: 5),
            LivenessProbe = ProxyProbe("/healthz", failureThreshold: 3, periodSeconds: 10),
            VolumeMounts = [new V1VolumeMount { Name = TokenVolume, MountPath = TokenDirectory, ReadOnlyProperty = true }],
            SecurityContext = model.Options.TransparentCapture ? CaptureInitContainerFactory.SidecarSecurityContext() : RestrictedSecurityContext(),
        };
    }

    /// <summary>Who the proxy is, as the registry sees it: pod name, namespace, service account and pod IP from the downward API.</summary>
    public static IEnumerable<V1EnvVar> NodeIdentity(string workloadName, IReadOnlyDictionary<string, string> labels)
    {
        yield return Field("Mesh__Node__Id", "metadata.name");
        yield return Value("Mesh__Node__Workload", workloadName);
        yield return Field("Mesh__Node__Namespace", "metadata.namespace");
        yield return Field("Mesh__Node__ServiceAccount", "spec.serviceAccountName");
        yield return Field("Mesh__Node__Address", "status.podIP");
        foreach (var (key, value) in labels.Where(l => IsEnvironmentName(l.Key)).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            yield return Value($"Mesh__Node__Labels__{key}", value);
        }
    }

    /// <summary>
    /// Labels whose key no environment variable can carry (a prefix with '/', such as
    /// <c>gateway.networking.k8s.io/gateway-name</c>: Kubernetes refuses such variable names) as
    /// command-line configuration of the proxy; null when there are none.
    /// </summary>
    public static List<string>? LabelArguments(IReadOnlyDictionary<string, string> labels)
    {
        var arguments = labels.Where(l => !IsEnvironmentName(l.Key)).OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => $"--Mesh:Node:Labels:{l.Key}={l.Value}")
            .ToList();
        return arguments.Count > 0 ? arguments : null;
    }

    // Kubernetes' rule for environment variable names: letters, digits, '_', '-', '.'.
    private static bool IsEnvironmentName(string key) => key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    /// <summary>The projected, audience-bound, rotating token the proxy presents to the control plane.</summary>
    public static V1Volume TokenProjection() => new()
    {
        Name = TokenVolume,
        Projected = new V1ProjectedVolumeSource
        {
            Sources =
            [
                new V1VolumeProjection
                {
                    ServiceAccountToken = new V1ServiceAccountTokenProjection { Audience = TokenAudience, ExpirationSeconds = 43200, Path = TokenFile },
                },
            ],
        },
    };

    public static Dictionary<string, string> Labels(MeshWorkload workload)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = workload.AppLabel, ["version"] = workload.Version };
        foreach (var (key, value) in workload.ExtraLabels)
        {
            labels[key] = value;
        }

        return labels;
    }

    public static V1Probe ProxyProbe(string path, int failureThreshold, int periodSeconds) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = KubernetesPorts.ProxyAdmin },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
    };

    public static V1SecurityContext RestrictedSecurityContext() => new()
    {
        AllowPrivilegeEscalation = false,
        RunAsNonRoot = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    public static V1EnvVar Value(string name, string value) => new() { Name = name, Value = value };

    public static V1EnvVar Field(string name, string path) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = path } } };

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
