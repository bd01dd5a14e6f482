using System.Net;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Expressions;

namespace Mesh.Proxy.Telemetry.Tcp;

/// <summary>
/// What expressions (access log filters, tag overrides) can read of a TCP connection: Envoy's
/// connection, source, destination, upstream and xds attributes; <c>response.code</c> is 0 and
/// request attributes do not exist (an expression naming one does not match).
/// </summary>
internal sealed class TcpCelAttributes(TcpProxySession session, TimeSpan duration) : ICelAttributes
{
    public CelValue Get(CelAttribute attribute) => attribute switch
    {
        CelAttribute.ResponseCode => CelValue.Int(0),
        CelAttribute.ResponseFlags => CelValue.String(ResponseFlagsText.Format(session.Flags)),
        CelAttribute.RequestDuration => CelValue.Duration(duration),
        CelAttribute.SourceAddress => Address(session.Connection.RemoteEndPoint),
        CelAttribute.SourcePort => Port(session.Connection.RemoteEndPoint),
        CelAttribute.DestinationAddress => Address(session.Connection.LocalEndPoint),
        CelAttribute.DestinationPort => Port(session.Connection.LocalEndPoint),
        CelAttribute.ConnectionMtls => CelValue.Bool(session.Peer is not null),
        CelAttribute.ConnectionRequestedServerName => CelValue.String(session.RequestedServerName ?? ""),
        CelAttribute.UpstreamAddress => CelValue.String(session.UpstreamAddress),
        CelAttribute.XdsClusterName => CelValue.String(session.ClusterName),
        CelAttribute.XdsRouteName => CelValue.String(session.FilterChain),
        _ => CelValue.Error("not an attribute of a TCP connection"),
    };

    private static CelValue Address(EndPoint? endpoint) => endpoint is IPEndPoint ip ? CelValue.String(ip.Address.ToString()) : CelValue.Error("no address");

    private static CelValue Port(EndPoint? endpoint) => endpoint is IPEndPoint ip ? CelValue.Int(ip.Port) : CelValue.Error("no port");
}
