using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Gateway;

/// <summary>One server of a Gateway resource selecting this proxy, in runtime form.</summary>
internal sealed class GatewayServerModel
{
    public required string Name { get; init; }

    /// <summary>Position in the snapshot's <c>gateway_servers</c> (error paths).</summary>
    public int Index { get; init; }

    /// <summary>The Gateway port number (listeners serve servers by this number).</summary>
    public required int Port { get; init; }

    public required Protocol Protocol { get; init; }

    /// <summary>Server hosts without their namespace prefix; they select the server by SNI on TLS.</summary>
    public required IReadOnlyList<string> Hosts { get; init; }

    /// <summary>Plaintext servers: answer every request with a 301 to https (Envoy's require_tls).</summary>
    public bool HttpsRedirect { get; init; }

    /// <summary>Null for plaintext servers.</summary>
    public GatewayTlsModel? Tls { get; init; }

    public bool TerminatesTls => Tls is not null;

    /// <summary>
    /// Connections are forwarded at L4 (the L4 feature's filter chains of this server): TCP servers,
    /// TLS passed through by SNI, and TLS servers terminated in front of TCP.
    /// </summary>
    public bool IsNetwork { get; init; }

    /// <summary>PASSTHROUGH or AUTO_PASSTHROUGH: TLS selected by SNI and passed on without termination.</summary>
    public bool Passthrough { get; init; }

    /// <summary>Whether TLS connections select this server by SNI (terminated or passed through).</summary>
    public bool AcceptsTls => TerminatesTls || Passthrough;

    public override string ToString() => Name;
}
