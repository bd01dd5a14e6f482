using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Telemetry.Labels;

/// <summary>Istio's standard metric labels (https://istio.io/latest/docs/reference/config/metrics/).</summary>
internal static class MetricLabels
{
    public const string Reporter = "reporter";
    public const string SourceWorkload = "source_workload";
    public const string SourceWorkloadNamespace = "source_workload_namespace";
    public const string SourcePrincipal = "source_principal";
    public const string SourceApp = "source_app";
    public const string SourceVersion = "source_version";
    public const string DestinationWorkload = "destination_workload";
    public const string DestinationWorkloadNamespace = "destination_workload_namespace";
    public const string DestinationPrincipal = "destination_principal";
    public const string DestinationApp = "destination_app";
    public const string DestinationVersion = "destination_version";
    public const string DestinationService = "destination_service";
    public const string DestinationServiceName = "destination_service_name";
    public const string DestinationServiceNamespace = "destination_service_namespace";
    public const string RequestProtocol = "request_protocol";
    public const string ResponseCode = "response_code";
    public const string GrpcResponseStatus = "grpc_response_status";
    public const string ResponseFlags = "response_flags";
    public const string ConnectionSecurityPolicy = "connection_security_policy";

    /// <summary>Every standard label, in the order the proxy emits them.</summary>
    public static readonly string[] All =
    [
        Reporter, SourceWorkload, SourceWorkloadNamespace, SourcePrincipal, SourceApp, SourceVersion,
        DestinationWorkload, DestinationWorkloadNamespace, DestinationPrincipal, DestinationApp, DestinationVersion,
        DestinationService, DestinationServiceName, DestinationServiceNamespace,
        RequestProtocol, ResponseCode, GrpcResponseStatus, ResponseFlags, ConnectionSecurityPolicy,
    ];
}
