using System.Net;
using System.Net.Sockets;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Binds one Kestrel endpoint per <see cref="MeshListener"/>, tags every accepted connection with
/// its listener, then adds the connection stages in <see cref="ListenerStage"/> order (TLS,
/// extensions, connection observers).
/// </summary>
internal static class KestrelListenerSetup
{
    /// <summary>The listener stages of the features, with plain <see cref="IListenerConfigurator"/> registrations at <see cref="ListenerStage.Extensions"/>.</summary>
    public static IReadOnlyList<IListenerConfigurator> OrderedConfigurators(IServiceProvider services)
    {
        var staged = services.GetServices<ListenerStageRegistration>().OrderBy(r => r.Stage).ToList();
        IListenerConfigurator Resolve(ListenerStageRegistration registration) => (IListenerConfigurator)services.GetRequiredService(registration.Configurator);
        return
        [
            .. staged.Where(r => r.Stage <= ListenerStage.Extensions).Select(Resolve),
            .. services.GetServices<IListenerConfigurator>(),
            .. staged.Where(r => r.Stage > ListenerStage.Extensions).Select(Resolve),
        ];
    }

    public static void Configure(KestrelServerOptions kestrel, ListenerSet listeners, IReadOnlyList<IListenerConfigurator> configurators, CaptureDispatch capture)
    {
        // A proxy must not impose app-level limits on what it forwards (Envoy has none by default).
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Limits.MinRequestBodyDataRate = null;
        kestrel.Limits.MinResponseDataRate = null;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 1024;
        kestrel.AddServerHeader = false;

        foreach (var listener in listeners.All)
        {
            kestrel.Listen(listener.BindAddress, listener.ConfiguredPort, options => ConfigureListener(listener, options, configurators, capture));
            if (listener.IPv6BindAddress is { } ipv6)
            {
                // The same listener on IPv6 (capture): its own socket with the same stages.
                kestrel.Listen(ipv6, listener.ConfiguredPort, options => ConfigureListener(listener, options, configurators, capture, attach: false));
            }
        }
    }

    /// <summary>
    /// Kestrel's listen socket for <paramref name="endpoint"/>: IPv6-only for a capture listener's
    /// <c>[::]</c> (Kestrel makes <c>[::]</c> dual-stack, which would take the IPv4 port the same
    /// listener already has), the default socket otherwise.
    /// </summary>
    public static Socket CreateListenSocket(ListenerSet listeners, EndPoint endpoint)
    {
        if (endpoint is IPEndPoint ip && ip.Address.Equals(IPAddress.IPv6Any)
            && listeners.All.Any(l => ip.Address.Equals(l.IPv6BindAddress) && l.ConfiguredPort == ip.Port))
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
            try
            {
                socket.Bind(ip);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        return SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
    }

    /// <summary>The connection stages of one listener (also of gateway listeners opened live).</summary>
    /// <param name="attach">False for a second socket of the same listener (capture's IPv6): the first one's stages serve hand-overs.</param>
    public static void ConfigureListener(MeshListener listener, ListenOptions options, IReadOnlyList<IListenerConfigurator> configurators, CaptureDispatch? capture = null, bool attach = true)
    {
        // Without TLS (no ALPN) Kestrel cannot offer HTTP/1.1 and HTTP/2 on one port, so
        // each listener speaks its declared protocol; HTTP2/GRPC mean h2c prior knowledge.
        // (TCP/TLS listeners never reach HTTP: the L4 stage ends every connection.)
        options.Protocols = listener.Protocol is ListenerProtocol.HTTP2 or ListenerProtocol.GRPC
            ? HttpProtocols.Http2
            : HttpProtocols.Http1;
        options.Use(next => connection =>
        {
            connection.Features.Set(listener);
            return next(connection);
        });
        if (capture is not null && listener.Kind is ListenerKind.OutboundCapture or ListenerKind.InboundCapture)
        {
            // Before every other stage: a captured connection may belong to another listener.
            options.Use(capture.For(listener));
        }

        foreach (var configurator in configurators)
        {
            configurator.Configure(listener, options);
        }

        if (attach)
        {
            listener.Attach(options);
        }
    }
}
