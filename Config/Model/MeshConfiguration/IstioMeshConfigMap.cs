using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.MeshConfiguration;

/// <summary>
/// Istio's mesh config as Istio keeps it: the <c>mesh</c> key of the ConfigMap <c>istio</c> in the
/// root namespace (<c>kubectl edit configmap istio -n istio-system</c>). The object of kind
/// <c>ConfigMap</c>; its <c>data.mesh</c> text is parsed as <see cref="MeshConfig"/>.
/// </summary>
public sealed record IstioMeshConfigMap
{
    /// <summary>The ConfigMap Istio reads its mesh config from.</summary>
    public const string Name = "istio";

    /// <summary>istiod's namespace, where that ConfigMap lives (whatever the mesh's root namespace).</summary>
    public const string Namespace = "istio-system";

    public MeshConfig Mesh { get; init; } = new();

    /// <summary>The <c>data.mesh</c> text as written (the ConfigMap is written back with it unchanged).</summary>
    public string MeshText { get; init; } = "";

    /// <summary>The <c>data.meshNetworks</c> key: the mesh's networks and their east-west gateways (docs/vm.md §5).</summary>
    public MeshNetworks? MeshNetworks { get; init; }

    /// <summary>The <c>data.meshNetworks</c> text as written; null when the key is absent.</summary>
    public string? MeshNetworksText { get; init; }
}

/// <summary>
/// Istio's <c>MeshConfig</c> (mesh/v1alpha1/config.proto). Mesh reads <c>extensionProviders</c> and
/// <c>outboundTrafficPolicy</c>; every other MeshConfig field is refused by name (<see cref="MeshConfigFields"/>).
/// </summary>
public sealed record MeshConfig
{
    public ValueList<MeshExtensionProvider> ExtensionProviders { get; init; } = [];

    /// <summary>The mesh-wide default of the sidecars' outbound traffic policy; a Sidecar resource's own policy overrides it.</summary>
    public MeshOutboundTrafficPolicy? OutboundTrafficPolicy { get; init; }
}

/// <summary>
/// <c>MeshConfig.OutboundTrafficPolicy</c>: only <c>mode</c> (the Sidecar resource's policy also has
/// <c>egressProxy</c>; the mesh's does not). Unset, the mode is Istio's default, <c>ALLOW_ANY</c>.
/// </summary>
public sealed record MeshOutboundTrafficPolicy
{
    public Networking.OutboundTrafficPolicyMode? Mode { get; init; }
}

/// <summary>
/// <c>MeshConfig.ExtensionProvider</c>: a name and one provider. Mesh implements the external
/// authorizers (<c>envoyExtAuthzHttp</c>, <c>envoyExtAuthzGrpc</c>); the tracing, metrics and access
/// log providers are refused by name (Mesh's telemetry is configured by the Telemetry resource and
/// OTLP export).
/// </summary>
public sealed record MeshExtensionProvider
{
    public string? Name { get; init; }

    public ExtAuthzHttpProvider? EnvoyExtAuthzHttp { get; init; }

    public ExtAuthzGrpcProvider? EnvoyExtAuthzGrpc { get; init; }

    /// <summary>The provider kinds that are set (a valid provider has exactly one), including refused ones.</summary>
    public ValueList<string> Kinds { get; init; } = [];
}
