using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Peers;

namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>
/// Everything the standard labels of a request depend on. Peers and services are canonical
/// objects compared by reference, principals are compared as strings: building and looking up
/// a key allocates nothing.
/// </summary>
internal readonly record struct SeriesKey(
    Reporter Reporter,
    WorkloadPeer Source,
    string SourcePrincipal,
    WorkloadPeer Destination,
    string DestinationPrincipal,
    ServiceLabels Service,
    RequestProtocol Protocol,
    int Code,
    int GrpcStatus,
    ResponseFlags Flags,
    SecurityPolicy Policy)
{
    public KeyValuePair<string, object?>[] Labels() =>
    [
        new(MetricLabels.Reporter, LabelValues.Of(Reporter)),
        new(MetricLabels.SourceWorkload, Source.Workload),
        new(MetricLabels.SourceWorkloadNamespace, Source.Namespace),
        new(MetricLabels.SourcePrincipal, SourcePrincipal),
        new(MetricLabels.SourceApp, Source.App),
        new(MetricLabels.SourceVersion, Source.Version),
        new(MetricLabels.DestinationWorkload, Destination.Workload),
        new(MetricLabels.DestinationWorkloadNamespace, Destination.Namespace),
        new(MetricLabels.DestinationPrincipal, DestinationPrincipal),
        new(MetricLabels.DestinationApp, Destination.App),
        new(MetricLabels.DestinationVersion, Destination.Version),
        new(MetricLabels.DestinationService, Service.Service),
        new(MetricLabels.DestinationServiceName, Service.Name),
        new(MetricLabels.DestinationServiceNamespace, Service.Namespace),
        new(MetricLabels.RequestProtocol, LabelValues.Of(Protocol)),
        new(MetricLabels.ResponseCode, LabelValues.Code(Code)),
        new(MetricLabels.GrpcResponseStatus, LabelValues.GrpcStatus(GrpcStatus)),
        new(MetricLabels.ResponseFlags, ResponseFlagsText.Format(Flags)),
        new(MetricLabels.ConnectionSecurityPolicy, LabelValues.Of(Policy)),
    ];
}
