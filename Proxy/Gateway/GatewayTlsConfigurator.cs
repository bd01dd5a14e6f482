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
/// TLS termination on gateway listeners. The Gateway servers decide what a listener speaks, so
/// each connection is told apart by its first byte (as Envoy's tls_inspector): plaintext goes to
/// the plaintext servers' routes; TLS is terminated with the certificate of the server the SNI
/// selects, read from the current snapshot at every handshake — a new snapshot swaps
/// certificates for new connections without rebinding. MUTUAL/ISTIO_MUTUAL servers require and
/// verify a client certificate. ALPN offers h2 and http/1.1 (h2 only on HTTP2/GRPC listeners).
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

        TlsDetectingStage.Use(options, (context, protocols) => ServerOptions(context, listener, protocols), (connection, isTls) => Admit(connection, listener, isTls));
    }

    private bool Admit(ConnectionContext connection, MeshListener listener, bool? isTls)
    {
        if (isTls is null)
        {
            Log.ClosedBeforeData(_logger, listener.Name, connection.RemoteEndPoint?.ToString());
            return false;
        }

        return true;
    }

    private SslServerAuthenticationOptions ServerOptions(TlsHandshakeCallbackContext context, MeshListener listener, List<SslApplicationProtocol> protocols)
    {
        var sni = string.IsNullOrEmpty(context.ClientHelloInfo.ServerName) ? null : context.ClientHelloInfo.ServerName;
        var model = _routing.Current;
        var server = (model?.Listeners[listener.Index].Selector as GatewayListenerRoutes)?.TlsServers.Find(sni);
        if (server?.Tls is not { } tls)
        {
            Log.NoServer(_logger, listener.Name, sni ?? "(none)", context.Connection.RemoteEndPoint?.ToString());
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
        var connection = context.Connection;
        var feature = new GatewayConnectionFeature(server.Name, sni);
        connection.Features.Set(feature);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ClientCertificateRequired = tls.RequiresClientCertificate,
            RemoteCertificateValidationCallback = tls.RequiresClientCertificate
                ? (_, presented, chain, _) => AcceptClient(connection, feature, presented, chain, tls, sni)
                : null,
            ApplicationProtocols = protocols,
            EnabledSslProtocols = tls.Protocols,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
        };
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
