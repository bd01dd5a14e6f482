using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>
/// Spec of the Gateway API's <c>Gateway</c> (<c>gateway.networking.k8s.io</c>; Istio calls it the
/// Kubernetes Gateway to tell it from its own): listeners (port, protocol, hostname, TLS, which
/// routes may attach) of a gateway the control plane provisions for its class.
/// </summary>
public sealed record KubernetesGatewayConfig
{
    public string? GatewayClassName { get; init; }

    public ValueList<Listener> Listeners { get; init; } = [];

    public ValueList<GatewaySpecAddress> Addresses { get; init; } = [];

    public GatewayInfrastructure? Infrastructure { get; init; }

    public AllowedListeners? AllowedListeners { get; init; }

    public GatewayTlsConfig? Tls { get; init; }

    public string? DefaultScope { get; init; }
}

/// <summary>One listener: a (port, protocol, hostname) the gateway serves.</summary>
public sealed record Listener
{
    public string? Name { get; init; }

    public string? Hostname { get; init; }

    public int? Port { get; init; }

    public string? Protocol { get; init; }

    public ListenerTlsConfig? Tls { get; init; }

    public AllowedRoutes? AllowedRoutes { get; init; }
}

/// <summary><c>listeners[].tls</c>: terminate with the referenced certificates, or pass through by SNI.</summary>
public sealed record ListenerTlsConfig
{
    public TlsModeType? Mode { get; init; }

    public ValueList<SecretObjectReference> CertificateRefs { get; init; } = [];

    public ValueMap<string> Options { get; init; } = ValueMap<string>.Empty;
}

/// <summary><c>listeners[].allowedRoutes</c>: from which namespaces, and which kinds, routes may attach.</summary>
public sealed record AllowedRoutes
{
    public RouteNamespaces? Namespaces { get; init; }

    public ValueList<RouteGroupKind> Kinds { get; init; } = [];
}

public sealed record RouteNamespaces
{
    public FromNamespaces? From { get; init; }

    public LabelSelector? Selector { get; init; }
}

public sealed record GatewaySpecAddress
{
    public string? Type { get; init; }

    public string? Value { get; init; }
}

public sealed record GatewayInfrastructure
{
    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public ValueMap<string> Annotations { get; init; } = ValueMap<string>.Empty;

    public LocalParametersReference? ParametersRef { get; init; }
}

public sealed record LocalParametersReference
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }
}

/// <summary><c>spec.allowedListeners</c> (ListenerSets attaching to the Gateway).</summary>
public sealed record AllowedListeners
{
    public RouteNamespaces? Namespaces { get; init; }
}

/// <summary><c>spec.tls</c>: client-certificate validation (frontend) and the gateway's own client certificate (backend).</summary>
public sealed record GatewayTlsConfig
{
    public GatewayBackendTls? Backend { get; init; }

    public FrontendTlsConfig? Frontend { get; init; }
}

public sealed record GatewayBackendTls
{
    public SecretObjectReference? ClientCertificateRef { get; init; }
}

public sealed record FrontendTlsConfig
{
    public FrontendTls? Default { get; init; }

    public ValueList<FrontendTlsPort> PerPort { get; init; } = [];
}

public sealed record FrontendTls
{
    public FrontendTlsValidation? Validation { get; init; }
}

public sealed record FrontendTlsPort
{
    public int? Port { get; init; }

    public FrontendTls? Tls { get; init; }
}

public sealed record FrontendTlsValidation
{
    public ValueList<ObjectReference> CaCertificateRefs { get; init; } = [];

    public string? Mode { get; init; }
}
