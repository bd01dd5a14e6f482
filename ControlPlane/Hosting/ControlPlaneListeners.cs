using System.Net;
using Mesh.ControlPlane.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Mesh.ControlPlane.Identity;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// The listeners: admin (HTTP/1.1), gRPC (h2c, HTTP/2 only) and, with <c>ControlPlane:DiscoveryTls:Port</c>,
/// gRPC over TLS with the control plane's serving certificate (Istio's 15012). Each connection is tagged
/// with its listener so requests can be kept to their own listener; the bound ports are known
/// once the server started (port 0 binds a free port).
/// </summary>
internal sealed class ControlPlaneListeners
{
    private const string ListenerItem = "mesh.listener";
    private ListenOptions? _admin;
    private ListenOptions? _grpc;
    private ListenOptions? _secureGrpc;

    public int AdminPort => PortOf(_admin, "admin");

    public int GrpcPort => PortOf(_grpc, "gRPC");

    /// <summary>The TLS discovery port, or null when there is none.</summary>
    public int? SecureGrpcPort => _secureGrpc is null ? null : PortOf(_secureGrpc, "TLS gRPC");

    public IPAddress? Address { get; private set; }

    public Uri AdminUri => new($"http://{Host}:{AdminPort}");

    public Uri GrpcUri => new($"http://{Host}:{GrpcPort}");

    /// <summary>The TLS discovery listener, or null when there is none.</summary>
    public Uri? SecureGrpcUri => SecureGrpcPort is { } port ? new($"https://{Host}:{port}") : null;

    private string Host => Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 ? $"[{v6}]" : Address?.ToString() ?? "127.0.0.1";

    internal void Configure(KestrelServerOptions kestrel, ControlPlaneOptions options, DiscoveryServingCertificate serving)
    {
        Address = ParseAddress(options.BindAddress);

        // A proxy that vanished without closing its connection (host crash, network partition)
        // must not keep its registration forever: HTTP/2 pings find dead connections.
        kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        kestrel.Listen(Address, options.AdminPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            Tag(listen, ListenerKind.Admin);
            _admin = listen;
        });
        kestrel.Listen(Address, options.GrpcPort, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            Tag(listen, ListenerKind.Grpc);
            _grpc = listen;
        });
        if (options.DiscoveryTls.Port is { } securePort)
        {
            kestrel.Listen(Address, securePort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                // Each handshake reads the current certificate: a renewed one reaches new connections at once.
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => ValueTask.FromResult(new System.Net.Security.SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = serving.Current,
                        ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http2],
                    }),
                });
                Tag(listen, ListenerKind.Grpc);
                _secureGrpc = listen;
            });
        }
    }

    /// <summary>Which listener accepted the request's connection.</summary>
    public static ListenerKind? ListenerOf(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerItem, out var kind) == true ? (ListenerKind?)kind : null;

    private static void Tag(ListenOptions listen, ListenerKind kind) =>
        listen.Use(next => connection =>
        {
            connection.Items[ListenerItem] = kind;
            return next(connection);
        });

    private static IPAddress ParseAddress(string text) =>
        string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(text, out var address) ? address
        : throw new InvalidOperationException($"ControlPlane:BindAddress '{text}' is not an IP address (or 'localhost')");

    private static int PortOf(ListenOptions? listen, string name) =>
        (listen?.EndPoint as IPEndPoint)?.Port is > 0 and var port
            ? port
            : throw new InvalidOperationException($"the {name} listener is not bound yet (start the control plane first)");
}

internal enum ListenerKind
{
    Admin,
    Grpc,
}
