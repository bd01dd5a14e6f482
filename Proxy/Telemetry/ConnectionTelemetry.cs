using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Tcp;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// Istio's TCP connection counters for the connections the proxy's listeners accept:
/// <c>istio_tcp_connections_opened_total</c> / <c>_closed_total</c>, reported by the destination on
/// inbound listeners and by the source elsewhere. What a connection knows is less than a request
/// does (no peer metadata yet): the caller is its mTLS principal at most. Labels are built once per
/// connection, not per request.
/// </summary>
internal sealed class ConnectionTelemetry : IListenerConfigurator
{
    private readonly ProxyInstruments _instruments;
    private readonly RoutingState _routing;
    private readonly TelemetryTranslator _translator;

    public ConnectionTelemetry(ProxyInstruments instruments, RoutingState routing, TelemetryTranslator translator)
    {
        _instruments = instruments;
        _routing = routing;
        _translator = translator;
    }

    public void Configure(MeshListener listener, ListenOptions options)
    {
        if (listener.Kind == ListenerKind.Admin)
        {
            return;
        }

        options.Use(next => async connection =>
        {
            // Connections the L4 proxy serves are counted, with their full labels, when it reports them.
            if ((!_instruments.ConnectionsOpened.Enabled && !_instruments.ConnectionsClosed.Enabled)
                || ConnectionServerFeature.IsNetworkConnection(listener, connection.Features))
            {
                await next(connection);
                return;
            }

            var model = _routing.Current?.FeatureModels.Get<TelemetryModel>() ?? _translator.Initial;
            var opened = Labels(model, listener, connection, IstioMetric.TcpOpenedConnections);
            if (opened is not null)
            {
                _instruments.ConnectionsOpened.Add(1, opened);
            }

            try
            {
                await next(connection);
            }
            finally
            {
                var closed = Labels(model, listener, connection, IstioMetric.TcpClosedConnections);
                if (closed is not null)
                {
                    _instruments.ConnectionsClosed.Add(1, closed);
                }
            }
        });
    }

    private KeyValuePair<string, object?>[]? Labels(TelemetryModel model, MeshListener listener, ConnectionContext connection, IstioMetric metric)
    {
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        var principal = certificate is null ? null : PeerPrincipalReader.SpiffeUri(certificate);
        var inbound = listener.Kind == ListenerKind.Inbound;
        var peers = new TcpPeers(
            inbound ? Reporter.Destination : Reporter.Source,
            inbound ? new WorkloadPeer(null, principal is null ? null : PeerPrincipalReader.NamespaceOf(principal), null, null) : model.Self,
            inbound ? principal ?? WorkloadPeer.Unknown : WorkloadPeer.Unknown,
            inbound ? model.Self : WorkloadPeer.UnknownPeer,
            inbound && certificate is not null ? model.SelfPrincipal : WorkloadPeer.Unknown,
            inbound ? model.InboundService : OutboundService(listener),
            inbound ? (certificate is null ? SecurityPolicy.None : SecurityPolicy.MutualTls) : SecurityPolicy.Unknown);

        // Request attributes do not exist for a connection: expression overrides see none.
        return TcpMetricLabels.Build(model, peers, ResponseFlags.None, metric, NoRequest.Instance);
    }

    private ServiceLabels OutboundService(MeshListener listener)
    {
        if (listener.Kind != ListenerKind.Outbound)
        {
            return ServiceLabels.Unknown;
        }

        var bound = _routing.Current?.Listeners[listener.Index].BoundVirtualHost;
        var host = bound is null ? listener.UpstreamHost ?? WorkloadPeer.Unknown : HostHeader.Split(bound.Name, out _).ToString();
        return ServiceLabels.FromHost(host);
    }

    private sealed class NoRequest : Expressions.ICelAttributes
    {
        public static readonly NoRequest Instance = new();

        public Expressions.CelValue Get(Expressions.CelAttribute attribute) => Expressions.CelValue.Error("no request on a connection");
    }
}
