using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Spec of Istio's <c>VirtualService</c> (networking.istio.io).</summary>
public sealed record VirtualServiceConfig
{
    public ValueList<string> Hosts { get; init; } = [];

    public ValueList<string> Gateways { get; init; } = [];

    public ValueList<HttpRoute> Http { get; init; } = [];

    [Refused("TLS routes need TLS passthrough; Mesh's proxies route HTTP traffic only")]
    public ValueList<TlsRoute> Tls { get; init; } = [];

    [Refused("TCP routes need an L4 data plane; Mesh's proxies route HTTP traffic only")]
    public ValueList<TcpRoute> Tcp { get; init; } = [];

    public ValueList<string> ExportTo { get; init; } = [];
}
