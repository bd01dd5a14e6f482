using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Binds one Kestrel endpoint per <see cref="MeshListener"/> and tags every accepted connection
/// with its listener. This is also where inbound mTLS (UseHttps with client certificates) plugs in.
/// </summary>
internal static class KestrelListenerSetup
{
    public static void Configure(KestrelServerOptions kestrel, ListenerSet listeners, IReadOnlyList<IListenerConfigurator> configurators)
    {
        // A proxy must not impose app-level limits on what it forwards (Envoy has none by default).
        kestrel.Limits.MaxRequestBodySize = null;
        kestrel.Limits.MinRequestBodyDataRate = null;
        kestrel.Limits.MinResponseDataRate = null;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 1024;
        kestrel.AddServerHeader = false;

        foreach (var listener in listeners.All)
        {
            kestrel.Listen(listener.BindAddress, listener.ConfiguredPort, options =>
            {
                // Without TLS (no ALPN) Kestrel cannot offer HTTP/1.1 and HTTP/2 on one port, so
                // each listener speaks its declared protocol; HTTP2/GRPC mean h2c prior knowledge.
                options.Protocols = listener.Protocol is ListenerProtocol.HTTP2 or ListenerProtocol.GRPC
                    ? HttpProtocols.Http2
                    : HttpProtocols.Http1;
                options.Use(next => connection =>
                {
                    connection.Features.Set(listener);
                    return next(connection);
                });
                foreach (var configurator in configurators)
                {
                    configurator.Configure(listener, options);
                }

                listener.Attach(options);
            });
        }
    }
}
