using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// TLS on gateway listeners. The Gateway servers decide what a listener speaks, so each
/// connection is told apart by its first bytes (as Envoy's tls_inspector): plaintext goes to the
/// plaintext servers' routes (or to the port's TCP server); TLS selects its server by SNI and is
/// terminated with that server's certificate, read from the current snapshot at every handshake —
/// a new snapshot swaps certificates for new connections without rebinding — or, for PASSTHROUGH
/// and AUTO_PASSTHROUGH servers, passed on untouched. MUTUAL/ISTIO_MUTUAL servers require and
/// verify a client certificate. A port with only TCP servers is not inspected at all (server-first
/// protocols work there). Connections of TCP, TLS and passthrough servers carry a
/// <see cref="ConnectionServerFeature"/> that hands them to the L4 feature.
/// ALPN offers h2 and http/1.1 (h2 only on HTTP2/GRPC listeners).
/// </summary>
internal sealed partial class GatewayTlsConfigurator : IListenerConfigurator
{
    private readonly RoutingState _routing;
    private readonly WorkloadIdentityState _identity;
    private readonly ILogger _logger;
    private (string Version, string Server)? _lastUnavailableWarning;

    public GatewayTlsConfigurator(RoutingState routing, WorkloadIdentityState identity, ILogger<GatewayTlsConfigurator> logger)
    {
        _routing = routing;
        _identity = identity;
        _logger = logger;
    }

    public void Configure(MeshListener listener, ListenOptions options)
    {
        if (listener.Kind != ListenerKind.Gateway)
        {
            return;
        }

        TlsDetectingStage.Use(options, new Policy(this, listener));
    }

    private GatewayListenerRoutes? RoutesOf(MeshListener listener) =>
        _routing.Current is { } model && listener.Index < model.Listeners.Length ? model.Listeners[listener.Index].Selector as GatewayListenerRoutes : null;

    private TlsDecision Decide(ConnectionContext connection, MeshListener listener, ConnectionInspection inspection)
    {
        var routes = RoutesOf(listener);
        switch (inspection.Kind)
        {
            case FirstBytes.Closed:
                Log.ClosedBeforeData(_logger, listener.Name, connection.RemoteEndPoint?.ToString());
                return TlsDecision.Refuse;
            case FirstBytes.Tls:
                var sni = inspection.Hello?.ServerName;
                if (routes?.TlsServers.Find(sni) is { } server)
                {
                    connection.Features.Set(new ConnectionServerFeature(server.Name, server.IsNetwork, sni, server.Passthrough));
                    return server.Passthrough ? TlsDecision.PassOn : TlsDecision.Terminate;
                }

                if (routes?.TcpServer is { } tcpServer)
                {
                    return PassToTcpServer(connection, tcpServer, sni);
                }

                Log.NoServer(_logger, listener.Name, sni ?? "(none)", connection.RemoteEndPoint?.ToString());
                return TlsDecision.Refuse;
            default:
                // Plaintext (or TLS-looking bytes that are no ClientHello): the TCP server's, else HTTP.
                return routes?.TcpServer is { } plainServer ? PassToTcpServer(connection, plainServer, null) : TlsDecision.PassOn;
        }
    }

    private static TlsDecision PassToTcpServer(ConnectionContext connection, GatewayServerModel server, string? sni)
    {
        connection.Features.Set(new ConnectionServerFeature(server.Name, isNetwork: true, sni, passthrough: false));
        return TlsDecision.PassOn;
    }

    private SslServerAuthenticationOptions ServerOptions(ConnectionContext connection, string? sni, MeshListener listener, List<SslApplicationProtocol> protocols)
    {
        var model = _routing.Current;
        var selected = connection.Features.Get<ConnectionServerFeature>()?.Server;
        var server = selected is null ? RoutesOf(listener)?.TlsServers.Find(sni) : model?.FeatureModels.Get<GatewayModel>()?.Find(selected);
        if (server?.Tls is not { } tls)
        {
            Log.NoServer(_logger, listener.Name, sni ?? "(none)", connection.RemoteEndPoint?.ToString());
            throw new AuthenticationException(model is null ? "no configuration received yet" : $"no TLS server on {listener.Name} for server name '{sni}'");
        }

        if (tls.Unavailable is { } reason)
        {
            WarnUnavailable(model!.Version, server, reason);
            throw new AuthenticationException($"gateway server '{server.Name}' has no usable certificate: {reason}");
        }

        var certificate = tls.Mode == GatewayTlsMode.IstioMutual
            ? _identity.Certificate?.ServerContext ?? throw new AuthenticationException("no workload certificate yet for ISTIO_MUTUAL")
            : tls.CertificateContext!;
        var feature = new GatewayConnectionFeature(server.Name, sni);
        connection.Features.Set(feature);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ClientCertificateRequired = tls.RequiresClientCertificate,
            RemoteCertificateValidationCallback = tls.RequiresClientCertificate
                ? (_, presented, chain, _) => AcceptClient(connection, feature, presented, chain, tls, sni)
                : null,

            // A TCP server behind TLS has no HTTP to negotiate: no ALPN.
            ApplicationProtocols = server.IsNetwork ? null : protocols,
            EnabledSslProtocols = tls.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
    }

    private sealed class Policy(GatewayTlsConfigurator owner, MeshListener listener) : ITlsListenerPolicy
    {
        public TlsDecision Plan(ConnectionContext connection, out bool readClientHello)
        {
            readClientHello = true;
            var routes = owner.RoutesOf(listener);
            if (routes is { TcpServer: { } server, TlsServers.IsEmpty: true })
            {
                // Only a TCP server here: nothing to tell apart, and server-first protocols must not wait.
                return PassToTcpServer(connection, server, null);
            }

            return TlsDecision.Inspect;
        }

        public TlsDecision Decide(ConnectionContext connection, ConnectionInspection inspection) => owner.Decide(connection, listener, inspection);

        public SslServerAuthenticationOptions ServerOptions(ConnectionContext connection, string? serverName, List<SslApplicationProtocol> httpProtocols) =>
            owner.ServerOptions(connection, serverName, listener, httpProtocols);
    }

    private bool AcceptClient(ConnectionContext connection, GatewayConnectionFeature feature, X509Certificate? presented, X509Chain? chain, GatewayTlsModel tls, string? sni)
    {
        var client = ClientCertificateVerifier.Verify(presented, chain, tls, _identity, out var meshIdentity, out var error);
        if (client is null)
        {
            Log.ClientRejected(_logger, feature.ServerName, connection.RemoteEndPoint?.ToString(), error!);
            return false;
        }

        feature.ClientCertificate = client;
        if (meshIdentity is not null && _identity.Certificate is { } own)
        {
            // ISTIO_MUTUAL callers are mesh workloads: their identity is the source principal.
            connection.Features.Set(new MeshPeerIdentityFeature(meshIdentity, client, own.Identity, sni));
        }

        return true;
    }

    private void WarnUnavailable(string version, GatewayServerModel server, string reason)
    {
        // Once per snapshot and server, not per handshake.
        var key = (version, server.Name);
        if (_lastUnavailableWarning != key)
        {
            _lastUnavailableWarning = key;
            Log.ServerUnavailable(_logger, server.Name, reason);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "TLS handshake from {Remote} on {Listener} refused: no TLS server for server name {ServerName}.")]
        public static partial void NoServer(ILogger logger, string listener, string serverName, string? remote);

        [LoggerMessage(2, LogLevel.Warning, "Gateway server {Server} refuses TLS connections: {Reason}.")]
        public static partial void ServerUnavailable(ILogger logger, string server, string reason);

        [LoggerMessage(3, LogLevel.Debug, "Refused the client certificate of {Remote} for gateway server {Server}: {Reason}.")]
        public static partial void ClientRejected(ILogger logger, string server, string? remote, string reason);

        [LoggerMessage(4, LogLevel.Debug, "Connection from {Remote} on {Listener} closed before sending anything.")]
        public static partial void ClosedBeforeData(ILogger logger, string listener, string? remote);
    }
}
