using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

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

    /// <summary>The TLS server options of one handshake; <paramref name="httpProtocols"/> are the ALPN protocols of the listener's HTTP versions.</summary>
    SslServerAuthenticationOptions ServerOptions(TlsHandshakeCallbackContext context, List<SslApplicationProtocol> httpProtocols);
}

/// <summary>
/// TLS and plaintext on one listener, decided per connection by an <see cref="ITlsListenerPolicy"/>,
/// from its first bytes when it asks: TLS to terminate goes through Kestrel's TLS stage (server
/// options chosen per handshake), everything else skips it. Shared by the sidecar's inbound listeners
/// (PERMISSIVE mTLS) and the gateway's (TLS servers, passthrough and plaintext servers on one port).
/// HTTP listeners offer h2 and http/1.1 by ALPN; mesh TCP listeners the mesh's own ALPN.
/// </summary>
public static class TlsDetectingStage
{
    /// <summary>ALPN a sidecar offers for mesh mTLS of TCP connections (Istio's istio-peer-exchange, istio).</summary>
    public static readonly List<SslApplicationProtocol> MeshTcpProtocols = [new("istio-peer-exchange"), new("istio")];

    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);
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
        options.Use(tls => connection => AcceptAsync(connection, tls, passOn[0], policy));
        options.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(policy.ServerOptions(context, protocols)),
            HandshakeTimeout = HandshakeTimeout,
        });
        options.Use(next =>
        {
            passOn[0] = next;
            return next;
        });
    }

    private static async Task AcceptAsync(ConnectionContext connection, ConnectionDelegate tls, ConnectionDelegate passOn, ITlsListenerPolicy policy)
    {
        var decision = policy.Plan(connection, out var readClientHello);
        if (decision == TlsDecision.Inspect)
        {
            ConnectionInspection inspection;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
            {
                timeout.CancelAfter(FirstBytesTimeout);
                try
                {
                    inspection = await TlsDetector.InspectAsync(connection.Transport.Input, readClientHello, timeout.Token);
                }
                catch (OperationCanceledException)
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
            case TlsDecision.Terminate:
                await tls(connection);
                break;
            case TlsDecision.PassOn:
                await passOn(connection);
                break;
        }
    }
}
