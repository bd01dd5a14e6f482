namespace Mesh.Proxy.Configuration;

/// <summary>
/// What a listener speaks to its callers and what an inbound listener speaks to the app:
/// HTTP is HTTP/1.1, HTTP2 and GRPC are HTTP/2 with prior knowledge (h2c), HTTPS needs TLS
/// termination (gateway only; not available yet).
/// </summary>
public enum ListenerProtocol
{
    HTTP,
    HTTP2,
    GRPC,
    HTTPS,
}
