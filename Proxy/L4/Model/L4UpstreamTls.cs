using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.L4.Model;

/// <summary>How a cluster's upstream connections are secured, decided per snapshot as Istio does.</summary>
internal enum L4TlsMode
{
    /// <summary>Plaintext (the app's own TLS, if any, passes through).</summary>
    None,

    /// <summary>Mesh mTLS with the workload certificate to endpoints that have sidecars (auto mTLS), or to all (ISTIO_MUTUAL).</summary>
    IstioMutual,

    /// <summary>TLS origination (DestinationRule SIMPLE or MUTUAL).</summary>
    Originate,
}

internal sealed record L4UpstreamTls
{
    public static L4UpstreamTls None { get; } = new();

    public L4TlsMode Mode { get; init; }

    /// <summary>IstioMutual: every endpoint (explicit ISTIO_MUTUAL) rather than only those marked mtls (auto mTLS).</summary>
    public bool AllEndpoints { get; init; }

    /// <summary>Identities (SPIFFE ids or SANs) a server may present; empty: the endpoint's own identity (mesh) or the host name.</summary>
    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    /// <summary>Originate: the TLS server name; null: the service host.</summary>
    public string? Sni { get; init; }

    /// <summary>Originate: roots to verify the server; null: the system's.</summary>
    public X509Certificate2Collection? Roots { get; init; }

    /// <summary>Originate MUTUAL: the client certificate (with its key).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    public bool InsecureSkipVerify { get; init; }

    public bool UsesTlsFor(L4Endpoint endpoint) => Mode switch
    {
        L4TlsMode.IstioMutual => AllEndpoints || endpoint.Source?.Mtls == true,
        L4TlsMode.Originate => true,
        _ => false,
    };
}
