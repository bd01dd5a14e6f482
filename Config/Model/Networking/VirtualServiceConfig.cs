using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Spec of Istio's <c>VirtualService</c> (networking.istio.io).</summary>
public sealed record VirtualServiceConfig
{
    public ValueList<string> Hosts { get; init; } = [];

    public ValueList<string> Gateways { get; init; } = [];

    public ValueList<HttpRoute> Http { get; init; } = [];

    public ValueList<TlsRoute> Tls { get; init; } = [];

    public ValueList<TcpRoute> Tcp { get; init; } = [];

    public ValueList<string> ExportTo { get; init; } = [];
}
