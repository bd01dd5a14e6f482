using System.Net;
using Mesh.ControlPlane.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// The two listeners: admin (HTTP/1.1) and gRPC (h2c, HTTP/2 only). Each connection is tagged
/// with its listener so requests can be kept to their own listener; the bound ports are known
/// once the server started (port 0 binds a free port).
/// </summary>
internal sealed class ControlPlaneListeners
{
    private const string ListenerItem = "mesh.listener";
    private ListenOptions? _admin;
    private ListenOptions? _grpc;

    public int AdminPort => PortOf(_admin, "admin");

    public int GrpcPort => PortOf(_grpc, "gRPC");

    public IPAddress? Address { get; private set; }

    public Uri AdminUri => new($"http://{Host}:{AdminPort}");

    public Uri GrpcUri => new($"http://{Host}:{GrpcPort}");

    private string Host => Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 ? $"[{v6}]" : Address?.ToString() ?? "127.0.0.1";

    internal void Configure(KestrelServerOptions kestrel, ControlPlaneOptions options)
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
