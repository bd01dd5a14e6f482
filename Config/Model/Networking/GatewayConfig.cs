using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Spec of Istio's <c>Gateway</c>: servers (ports, hosts, TLS) on proxies selected by labels.</summary>
public sealed record GatewayConfig
{
    public ValueList<Server> Servers { get; init; } = [];

    public ValueMap<string> Selector { get; init; } = ValueMap<string>.Empty;
}

/// <summary>Istio's <c>Server</c>.</summary>
public sealed record Server
{
    public ServerPort? Port { get; init; }

    [Refused("the gateway host decides the addresses it listens on")]
    public string? Bind { get; init; }

    public ValueList<string> Hosts { get; init; } = [];

    public ServerTlsSettings? Tls { get; init; }

    [Ignored("Istio does not implement it either (documented as NOT IMPLEMENTED)")]
    public string? DefaultEndpoint { get; init; }

    public string? Name { get; init; }
}

/// <summary>Istio's <c>Port</c> (Gateway servers, Sidecar listeners): number, protocol and name.</summary>
public sealed record ServerPort
{
    public uint? Number { get; init; }

    [Limited("HTTP, HTTP2, GRPC, HTTPS, TCP (also MONGO, MYSQL, REDIS) and TLS; GRPC-WEB, UDP and HTTP_PROXY are refused")]
    public string? Protocol { get; init; }

    public string? Name { get; init; }

    [Refused("Istio refuses it too: targetPort has no impact on Gateways and Sidecars")]
    public uint? TargetPort { get; init; }
}

/// <summary>Istio's <c>ServerTLSSettings</c>.</summary>
public sealed record ServerTlsSettings
{
    public bool? HttpsRedirect { get; init; }

    [Limited("SIMPLE, MUTUAL, ISTIO_MUTUAL, PASSTHROUGH and AUTO_PASSTHROUGH; OPTIONAL_MUTUAL is refused (use MUTUAL)")]
    public ServerTlsMode? Mode { get; init; }

    public string? ServerCertificate { get; init; }

    public string? PrivateKey { get; init; }

    public string? CaCertificates { get; init; }

    [Refused("the gateway does not check certificate revocation lists")]
    public string? CaCrl { get; init; }

    public string? CredentialName { get; init; }

    [Refused("a server has one certificate in Mesh (use credentialName)")]
    public ValueList<string> CredentialNames { get; init; } = [];

    [Refused("a server has one certificate in Mesh (use serverCertificate and privateKey)")]
    public ValueList<TlsCertificate> TlsCertificates { get; init; } = [];

    [Refused("the client CA comes from credentialName's ca.crt or from caCertificates")]
    public string? CaCertCredentialName { get; init; }

    public ValueList<string> SubjectAltNames { get; init; } = [];

    [Refused("the gateway does not pin client certificates")]
    public ValueList<string> VerifyCertificateSpki { get; init; } = [];

    [Refused("the gateway does not pin client certificates")]
    public ValueList<string> VerifyCertificateHash { get; init; } = [];

    public TlsProtocolVersion? MinProtocolVersion { get; init; }

    public TlsProtocolVersion? MaxProtocolVersion { get; init; }

    [Refused("the gateway uses the platform's TLS cipher suites")]
    public ValueList<string> CipherSuites { get; init; } = [];

    [Refused("the gateway always verifies client certificates in MUTUAL mode")]
    public bool? InsecureSkipVerify { get; init; }
}

/// <summary>Istio's <c>ServerTLSSettings.TLSCertificate</c>.</summary>
public sealed record TlsCertificate
{
    public string? ServerCertificate { get; init; }

    public string? PrivateKey { get; init; }

    public string? CaCertificates { get; init; }
}

/// <summary>Istio's <c>ServerTLSSettings.TLSmode</c>.</summary>
public enum ServerTlsMode
{
    Passthrough,
    Simple,
    Mutual,
    AutoPassthrough,
    IstioMutual,
    OptionalMutual,
}

/// <summary>Istio's <c>ServerTLSSettings.TLSProtocol</c>.</summary>
public enum TlsProtocolVersion
{
    [IstioName("TLS_AUTO")]
    TlsAuto,
    [IstioName("TLSV1_0")]
    Tls10,
    [IstioName("TLSV1_1")]
    Tls11,
    [IstioName("TLSV1_2")]
    Tls12,
    [IstioName("TLSV1_3")]
    Tls13,
}
