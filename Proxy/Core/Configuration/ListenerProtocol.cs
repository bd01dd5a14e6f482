namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// What a listener speaks to its callers and what an inbound listener speaks to the app:
/// HTTP is HTTP/1.1, HTTP2 and GRPC are HTTP/2 with prior knowledge (h2c). HTTPS (gateway only)
/// is served like HTTP: on gateway listeners the Gateway servers decide per connection whether TLS
/// is terminated (ALPN then offers h2 and http/1.1). TCP and TLS listeners forward connections
/// (the L4 feature): TCP as opaque bytes, TLS (the app's own, not terminated) routed by SNI.
/// </summary>
public enum ListenerProtocol
{
    HTTP,
    HTTP2,
    GRPC,
    HTTPS,
    TCP,
    TLS,
}
