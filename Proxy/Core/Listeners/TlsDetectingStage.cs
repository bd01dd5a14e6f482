using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// TLS and plaintext on one listener, decided per connection from its first byte: TLS goes through
/// Kestrel's TLS stage (server options chosen per handshake), plaintext skips it. Shared by the
/// sidecar's inbound listeners (PERMISSIVE mTLS) and the gateway's (TLS servers and plaintext
/// servers on one port). HTTP listeners offer h2 and http/1.1 by ALPN.
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
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly List<SslApplicationProtocol> Http2Only = [SslApplicationProtocol.Http2];
    private static readonly List<SslApplicationProtocol> Http2AndHttp11 = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <param name="serverOptions">The TLS server options for one handshake, given the ALPN protocols to offer.</param>
    /// <param name="admit">
    /// Whether a connection goes on, given whether it speaks TLS (null: it closed or sent nothing
    /// in time); a refused connection is closed without a response.
    /// </param>
    public static void Use(
        ListenOptions options,
        Func<TlsHandshakeCallbackContext, List<SslApplicationProtocol>, SslServerAuthenticationOptions> serverOptions,
        Func<ConnectionContext, bool?, bool> admit)
    {
        if (options.Protocols == HttpProtocols.Http1)
        {
            // Plaintext stays HTTP/1.1 (no ALPN without TLS); over TLS, ALPN decides.
            options.Protocols = HttpProtocols.Http1AndHttp2;
        }

        var protocols = options.Protocols == HttpProtocols.Http2 ? Http2Only : Http2AndHttp11;

        // Kestrel builds connection middleware last-to-first: the third stage records the HTTP stage
        // so plaintext connections go straight to it, past the TLS stage in between.
        var plaintext = new ConnectionDelegate[1];
        var time = options.ApplicationServices?.GetService<TimeProvider>() ?? TimeProvider.System;
        var limits = options.KestrelServerOptions.Limits;
        options.Use(tls => connection => AcceptAsync(connection, tls, plaintext[0], admit, time, limits.KeepAliveTimeout));
        options.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(serverOptions(context, protocols)),
            HandshakeTimeout = HandshakeTimeout,
        });
        options.Use(http =>
        {
            plaintext[0] = http;
            return http;
        });
    }

    private static async Task AcceptAsync(
        ConnectionContext connection,
        ConnectionDelegate tls,
        ConnectionDelegate plaintext,
        Func<ConnectionContext, bool?, bool> admit,
        TimeProvider time,
        TimeSpan idleTimeout)
    {
        bool? isTls;
        using (var idle = new CancellationTokenSource(idleTimeout, time))
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, idle.Token))
        {
            try
            {
                isTls = await TlsDetector.IsTlsAsync(connection.Transport.Input, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (admit(connection, isTls) && isTls is { } tlsConnection)
        {
            await (tlsConnection ? tls : plaintext)(connection);
        }
    }
}
