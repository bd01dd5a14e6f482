using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Peers;
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
            if (!_instruments.ConnectionsOpened.Enabled && !_instruments.ConnectionsClosed.Enabled)
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
        var reporter = inbound ? Reporter.Destination : Reporter.Source;
        var view = model.Overrides.For(metric, reporter);
        if (view is { Disabled: true })
        {
            return null;
        }

        var self = model.Self;
        var source = inbound ? new WorkloadPeer(null, principal is null ? null : PeerPrincipalReader.NamespaceOf(principal), null, null) : self;
        var destination = inbound ? self : WorkloadPeer.UnknownPeer;
        var service = inbound ? model.InboundService : OutboundService(listener);
        var policy = inbound ? (certificate is null ? SecurityPolicy.None : SecurityPolicy.MutualTls) : SecurityPolicy.Unknown;
        KeyValuePair<string, object?>[] labels =
        [
            new(MetricLabels.Reporter, LabelValues.Of(reporter)),
            new(MetricLabels.SourceWorkload, source.Workload),
            new(MetricLabels.SourceWorkloadNamespace, source.Namespace),
            new(MetricLabels.SourcePrincipal, inbound ? principal ?? WorkloadPeer.Unknown : WorkloadPeer.Unknown),
            new(MetricLabels.SourceApp, source.App),
            new(MetricLabels.SourceVersion, source.Version),
            new(MetricLabels.DestinationWorkload, destination.Workload),
            new(MetricLabels.DestinationWorkloadNamespace, destination.Namespace),
            new(MetricLabels.DestinationPrincipal, inbound && certificate is not null ? model.SelfPrincipal : WorkloadPeer.Unknown),
            new(MetricLabels.DestinationApp, destination.App),
            new(MetricLabels.DestinationVersion, destination.Version),
            new(MetricLabels.DestinationService, service.Service),
            new(MetricLabels.DestinationServiceName, service.Name),
            new(MetricLabels.DestinationServiceNamespace, service.Namespace),
            new(MetricLabels.RequestProtocol, LabelValues.Of(RequestProtocol.Tcp)),
            new(MetricLabels.ResponseFlags, "-"),
            new(MetricLabels.ConnectionSecurityPolicy, LabelValues.Of(policy)),
        ];

        // Request attributes do not exist for a connection: expression overrides see none.
        return view is null ? labels : view.Apply(labels, NoRequest.Instance);
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
