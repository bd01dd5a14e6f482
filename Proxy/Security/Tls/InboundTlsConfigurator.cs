using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security.Policy;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security.Tls;

/// <summary>
/// Inbound listeners accept mesh mTLS and plaintext on the same port (PERMISSIVE), decided per
/// connection from its first bytes: TLS goes through Kestrel's TLS stage with this workload's
/// certificate and a required, trust-bundle-verified client certificate; plaintext skips it.
/// The connection is held to the port's PeerAuthentication mode (STRICT refuses plaintext,
/// DISABLE refuses TLS). HTTP listeners offer h2 and http/1.1 by ALPN, so sidecars talk HTTP/2
/// to each other while plaintext callers keep HTTP/1.1. TCP listeners tell mesh mTLS from an
/// app's own TLS as Istio does, by the ClientHello's ALPN (<c>istio-peer-exchange</c>/<c>istio</c>,
/// which the mesh's TCP clients offer): other TLS passes through to the app untouched; STRICT and
/// DISABLE ports are not inspected at all, so server-first protocols work on them.
/// </summary>
internal sealed partial class InboundTlsConfigurator : IListenerConfigurator
{
    private readonly WorkloadIdentityState _identity;
    private readonly RoutingState _routing;
    private readonly ILogger _logger;

    public InboundTlsConfigurator(WorkloadIdentityState identity, RoutingState routing, ILogger<InboundTlsConfigurator> logger)
    {
        _identity = identity;
        _routing = routing;
        _logger = logger;
    }

    public void Configure(MeshListener listener, ListenOptions options)
    {
        if (listener.Kind != ListenerKind.Inbound)
        {
            return;
        }

        TlsDetectingStage.Use(options, new Policy(this, listener));
    }

    private MtlsMode ModeOf(MeshListener listener) =>
        _routing.Current?.FeatureModels.Get<InboundSecurityModel>()?.ModeFor(listener) ?? MtlsMode.Permissive;

    private TlsDecision Admit(ConnectionContext connection, MeshListener listener, ConnectionInspection inspection)
    {
        var mode = ModeOf(listener);
        switch (inspection.Kind)
        {
            case FirstBytes.Closed:
                return TlsDecision.Refuse;
            case FirstBytes.Tls when !listener.IsNetwork || inspection.Hello is { } hello && IsMeshTls(hello):
                if (mode == MtlsMode.Disable || _identity.Certificate is null)
                {
                    Log.TlsRefused(_logger, listener.Name, connection.RemoteEndPoint?.ToString(), mode == MtlsMode.Disable ? "PeerAuthentication DISABLE" : "no workload certificate yet");
                    return TlsDecision.Refuse;
                }

                return TlsDecision.Terminate;
        }

        // Plaintext, or on a TCP port TLS that is not the mesh's: the app's own bytes.
        if (mode == MtlsMode.Strict)
        {
            // Envoy resets such connections: no response tells a plaintext caller anything.
            Log.PlaintextRefused(_logger, listener.Name, connection.RemoteEndPoint?.ToString());
            return TlsDecision.Refuse;
        }

        return TlsDecision.PassOn;
    }

    private static bool IsMeshTls(TlsClientHello hello)
    {
        foreach (var protocol in TlsDetectingStage.MeshTcpProtocols)
        {
            if (hello.Offers(protocol.ToString()))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Policy(InboundTlsConfigurator owner, MeshListener listener) : ITlsListenerPolicy
    {
        public TlsDecision Plan(ConnectionContext connection, out bool readClientHello)
        {
            readClientHello = listener.IsNetwork;
            if (!listener.IsNetwork)
            {
                return TlsDecision.Inspect;
            }

            // A TCP port is inspected only when both are possible (PERMISSIVE): a STRICT or DISABLE
            // port must not wait for the client's first byte, or server-first protocols would hang.
            switch (owner.ModeOf(listener))
            {
                case MtlsMode.Strict:
                    return owner._identity.Certificate is null ? TlsDecision.Refuse : TlsDecision.Terminate;
                case MtlsMode.Disable:
                    return TlsDecision.PassOn;
                default:
                    return TlsDecision.Inspect;
            }
        }

        public TlsDecision Decide(ConnectionContext connection, ConnectionInspection inspection) => owner.Admit(connection, listener, inspection);

        public SslServerAuthenticationOptions ServerOptions(ConnectionContext connection, string? serverName, List<SslApplicationProtocol> httpProtocols) =>
            owner.ServerOptions(connection, serverName, listener.IsNetwork ? TlsDetectingStage.MeshTcpProtocols : httpProtocols);
    }

    private SslServerAuthenticationOptions ServerOptions(ConnectionContext connection, string? serverName, List<SslApplicationProtocol> protocols)
    {
        var certificate = _identity.Certificate ?? throw new AuthenticationException("no workload certificate yet");
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate.ServerContext,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, peer, chain, _) => AcceptPeer(connection, peer, chain, certificate, serverName),
            ApplicationProtocols = protocols,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
    }

    private bool AcceptPeer(ConnectionContext connection, X509Certificate? peer, X509Chain? chain, WorkloadCertificate own, string? serverName)
    {
        var identity = PeerCertificateValidator.Validate(peer, chain, _identity, out var error);
        if (identity is null)
        {
            Log.PeerRejected(_logger, connection.RemoteEndPoint?.ToString(), error!);
            return false;
        }

        var certificate = peer as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(peer!.GetRawCertData());
        connection.Features.Set(new MeshPeerIdentityFeature(identity, certificate, own.Identity, serverName));
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Refused a plaintext connection from {Remote} on {Listener}: PeerAuthentication STRICT.")]
        public static partial void PlaintextRefused(ILogger logger, string listener, string? remote);

        [LoggerMessage(2, LogLevel.Debug, "Refused a TLS connection from {Remote} on {Listener}: {Reason}.")]
        public static partial void TlsRefused(ILogger logger, string listener, string? remote, string reason);

        [LoggerMessage(3, LogLevel.Debug, "Refused the client certificate of {Remote}: {Reason}.")]
        public static partial void PeerRejected(ILogger logger, string? remote, string reason);
    }
}
