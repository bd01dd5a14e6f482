using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Expressions;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;

namespace Mesh.Proxy.Telemetry.Tcp;

/// <summary>Who a connection went between, as Istio's TCP metrics label it.</summary>
internal sealed record TcpPeers(
    Reporter Reporter,
    WorkloadPeer Source,
    string SourcePrincipal,
    WorkloadPeer Destination,
    string DestinationPrincipal,
    ServiceLabels Service,
    SecurityPolicy Policy);

/// <summary>
/// The labels of Istio's TCP metrics (<c>istio_tcp_*</c>): the standard labels without the
/// request-only ones, <c>request_protocol=tcp</c>, the connection's response flags, and the
/// Telemetry resource's overrides for the metric and reporter (null: disabled).
/// </summary>
internal static class TcpMetricLabels
{
    public static KeyValuePair<string, object?>[]? Build(TelemetryModel model, TcpPeers peers, ResponseFlags flags, IstioMetric metric, ICelAttributes attributes)
    {
        var view = model.Overrides.For(metric, peers.Reporter);
        if (view is { Disabled: true })
        {
            return null;
        }

        KeyValuePair<string, object?>[] labels =
        [
            new(MetricLabels.Reporter, LabelValues.Of(peers.Reporter)),
            new(MetricLabels.SourceWorkload, peers.Source.Workload),
            new(MetricLabels.SourceWorkloadNamespace, peers.Source.Namespace),
            new(MetricLabels.SourcePrincipal, peers.SourcePrincipal),
            new(MetricLabels.SourceApp, peers.Source.App),
            new(MetricLabels.SourceVersion, peers.Source.Version),
            new(MetricLabels.DestinationWorkload, peers.Destination.Workload),
            new(MetricLabels.DestinationWorkloadNamespace, peers.Destination.Namespace),
            new(MetricLabels.DestinationPrincipal, peers.DestinationPrincipal),
            new(MetricLabels.DestinationApp, peers.Destination.App),
            new(MetricLabels.DestinationVersion, peers.Destination.Version),
            new(MetricLabels.DestinationService, peers.Service.Service),
            new(MetricLabels.DestinationServiceName, peers.Service.Name),
            new(MetricLabels.DestinationServiceNamespace, peers.Service.Namespace),
            new(MetricLabels.RequestProtocol, LabelValues.Of(RequestProtocol.Tcp)),
            new(MetricLabels.ResponseFlags, ResponseFlagsText.Format(flags)),
            new(MetricLabels.ConnectionSecurityPolicy, LabelValues.Of(peers.Policy)),
        ];
        return view is null ? labels : view.Apply(labels, attributes);
    }
}
