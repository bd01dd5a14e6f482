using System.ComponentModel;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>What happens to a connection at a listener's TLS stage.</summary>
public enum TlsDecision
{
    /// <summary>Read the first bytes first (<see cref="ITlsListenerPolicy.Decide(ConnectionContext, ConnectionInspection)"/> then decides).</summary>
    Inspect,

    /// <summary>Terminate TLS here (Kestrel's TLS stage, with <see cref="ITlsListenerPolicy.ServerOptions"/>).</summary>
    Terminate,

    /// <summary>Pass the bytes on untouched: plaintext, or TLS that is not terminated here (passthrough).</summary>
    PassOn,

    /// <summary>Close the connection without a response.</summary>
    Refuse,
}

/// <summary>
/// One listener's per-connection TLS decisions (Envoy's filter chain match on transport protocol,
/// server name and ALPN): whether to look at the first bytes, and then whether to terminate TLS,
/// pass the bytes on, or refuse.
/// </summary>
public interface ITlsListenerPolicy
{
    /// <summary>
    /// Before anything is read. <see cref="TlsDecision.Inspect"/> waits for the first bytes (with
    /// the ClientHello when <paramref name="readClientHello"/> is set); a server-first protocol (the
    /// server speaks first) must not be inspected, as in Istio.
    /// </summary>
    TlsDecision Plan(ConnectionContext connection, out bool readClientHello);

    /// <summary>After inspection: <see cref="TlsDecision.Terminate"/> only for TLS connections.</summary>
    TlsDecision Decide(ConnectionContext connection, ConnectionInspection inspection);

    /// <summary>
    /// The TLS server options of one handshake, given the client's SNI (null without one);
    /// <paramref name="httpProtocols"/> are the ALPN protocols of the listener's HTTP versions.
    /// </summary>
    SslServerAuthenticationOptions ServerOptions(ConnectionContext connection, string? serverName, List<SslApplicationProtocol> httpProtocols);
}

/// <summary>
/// TLS and plaintext on one listener, decided per connection by an <see cref="ITlsListenerPolicy"/>,
/// from its first bytes when it asks: TLS to terminate goes through Kestrel's TLS stage (server
/// options chosen per handshake), everything else skips it. Shared by the sidecar's inbound listeners
/// (PERMISSIVE mTLS) and the gateway's (TLS servers, passthrough and plaintext servers on one port).
/// HTTP listeners offer h2 and http/1.1 by ALPN; mesh TCP listeners the mesh's own ALPN.
/// A connection forwarded at L4 (<see cref="ConnectionServerFeature.IsNetworkConnection"/>) is
/// terminated here instead, over the raw transport (<see cref="NetworkTlsFeature"/>): Kestrel's TLS
/// stage writes through a pipe its socket loop drains later, so the L4 proxy could not half-close
/// after the last byte without a TLS close_notify, and SslStream's close_notify may not run while a
/// read is pending (OpenSSL's SSL_shutdown is not safe next to SSL_read).
/// </summary>
/// <remarks>
/// A connection that has sent nothing yet is an idle keep-alive connection, not a slow handshake:
/// clients open connections before they need them (pools pre-connect, load generators and
/// gateways keep spares). It is held as long as Kestrel holds an idle connection between requests
/// (<see cref="KestrelServerLimits.KeepAliveTimeout"/>, on the host's <see cref="TimeProvider"/>).
/// A shorter first-byte wait (it was 10 s) closed spare connections just as clients sent their
/// first request on them: "connection closed with a request in flight" (issue 22). Istio likewise
/// has no protocol-detection timeout by default.
/// </remarks>
public static class TlsDetectingStage
{
    /// <summary>ALPN a sidecar offers for mesh mTLS of TCP connections (Istio's istio-peer-exchange, istio).</summary>
    public static readonly List<SslApplicationProtocol> MeshTcpProtocols = [new("istio-peer-exchange"), new("istio")];

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly List<SslApplicationProtocol> Http2Only = [SslApplicationProtocol.Http2];
    private static readonly List<SslApplicationProtocol> Http2AndHttp11 = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    public static void Use(ListenOptions options, ITlsListenerPolicy policy)
    {
        if (options.Protocols == HttpProtocols.Http1)
        {
            // Plaintext stays HTTP/1.1 (no ALPN without TLS); over TLS, ALPN decides.
            options.Protocols = HttpProtocols.Http1AndHttp2;
        }

        var protocols = options.Protocols == HttpProtocols.Http2 ? Http2Only : Http2AndHttp11;

        // Kestrel builds connection middleware last-to-first: the third stage records the stage
        // after TLS so passed-on connections go straight to it, past the TLS stage in between.
        var passOn = new ConnectionDelegate[1];
        var time = options.ApplicationServices?.GetService<TimeProvider>() ?? TimeProvider.System;
        var limits = options.KestrelServerOptions.Limits;
        options.Use(tls => connection => AcceptAsync(connection, tls, passOn[0], policy, time, limits.KeepAliveTimeout));
        options.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(policy.ServerOptions(
                context.Connection,
                string.IsNullOrEmpty(context.ClientHelloInfo.ServerName) ? null : context.ClientHelloInfo.ServerName,
                protocols)),
            HandshakeTimeout = HandshakeTimeout,
        });
        options.Use(next =>
        {
            passOn[0] = next;
            return next;
        });
    }

    private static async Task AcceptAsync(
        ConnectionContext connection,
        ConnectionDelegate tls,
        ConnectionDelegate passOn,
        ITlsListenerPolicy policy,
        TimeProvider time,
        TimeSpan idleTimeout)
    {
        var decision = policy.Plan(connection, out var readClientHello);
        if (decision == TlsDecision.Inspect)
        {
            // Not ConnectionClosed: Kestrel raises it at the peer's FIN, which may follow its first
            // bytes at once (a half-closing client); an ended input pipe says the same without the race.
            ConnectionInspection inspection;
            using (var timeout = new CancellationTokenSource(idleTimeout, time))
            {
                try
                {
                    inspection = await TlsDetector.InspectAsync(connection.Transport.Input, readClientHello, timeout.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    inspection = ConnectionInspection.Closed;
                }
            }

            decision = policy.Decide(connection, inspection);
            if (decision == TlsDecision.Terminate && inspection.Kind != FirstBytes.Tls)
            {
                decision = TlsDecision.Refuse;
            }
        }

        switch (decision)
        {
            case TlsDecision.Terminate when connection.Features.Get<MeshListener>() is { } listener && ConnectionServerFeature.IsNetworkConnection(listener, connection.Features):
                await TerminateForNetworkAsync(connection, passOn, policy);
                break;
            case TlsDecision.Terminate:
                await tls(connection);
                break;
            case TlsDecision.PassOn:
                await passOn(connection);
                break;
        }
    }

    private static async Task TerminateForNetworkAsync(ConnectionContext connection, ConnectionDelegate next, ITlsListenerPolicy policy)
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        await using var tls = new SslStream(new RawTransportStream(connection.Transport, socket), leaveInnerStreamOpen: false);
        string? serverName = null;
        try
        {
            using var timeout = new CancellationTokenSource(HandshakeTimeout);
            await tls.AuthenticateAsServerAsync(
                (_, hello, _, _) =>
                {
                    serverName = string.IsNullOrEmpty(hello.ServerName) ? null : hello.ServerName;
                    return ValueTask.FromResult(policy.ServerOptions(connection, serverName, MeshTcpProtocols));
                },
                null,
                timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or Win32Exception)
        {
            // A failed handshake ends the connection, as Kestrel's TLS stage does.
            return;
        }

        connection.Features.Set(new NetworkTlsFeature(tls, socket, serverName));
        connection.Features.Set<ITlsApplicationProtocolFeature>(new NegotiatedProtocol(tls.NegotiatedApplicationProtocol.Protocol));
        await next(connection);
    }

    private sealed class NegotiatedProtocol(ReadOnlyMemory<byte> protocol) : ITlsApplicationProtocolFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol { get; } = protocol;
    }
}
