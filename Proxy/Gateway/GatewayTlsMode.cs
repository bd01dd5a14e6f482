namespace Mesh.Proxy.Gateway;

/// <summary>How a Gateway server terminates TLS (Istio's <c>ServerTLSSettings.TLSmode</c>, the terminating ones).</summary>
internal enum GatewayTlsMode
{
    /// <summary>Server certificate only.</summary>
    Simple,

    /// <summary>Server certificate, and a client certificate verified against the server's CA certificates.</summary>
    Mutual,

    /// <summary>The gateway's mesh workload certificate; clients present mesh certificates (verified against the trust bundle).</summary>
    IstioMutual,
}
