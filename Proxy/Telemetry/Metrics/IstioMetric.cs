namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>Istio's <c>MetricSelector.IstioMetric</c> values, as the Telemetry resource names them.</summary>
internal enum IstioMetric
{
    RequestCount,
    RequestDuration,
    RequestSize,
    ResponseSize,
    TcpOpenedConnections,
    TcpClosedConnections,
    TcpSentBytes,
    TcpReceivedBytes,
    GrpcRequestMessages,
    GrpcResponseMessages,
}

internal static class IstioMetrics
{
    public static readonly IReadOnlyDictionary<string, IstioMetric> ByName = new Dictionary<string, IstioMetric>(StringComparer.Ordinal)
    {
        ["REQUEST_COUNT"] = IstioMetric.RequestCount,
        ["REQUEST_DURATION"] = IstioMetric.RequestDuration,
        ["REQUEST_SIZE"] = IstioMetric.RequestSize,
        ["RESPONSE_SIZE"] = IstioMetric.ResponseSize,
        ["TCP_OPENED_CONNECTIONS"] = IstioMetric.TcpOpenedConnections,
        ["TCP_CLOSED_CONNECTIONS"] = IstioMetric.TcpClosedConnections,
        ["TCP_SENT_BYTES"] = IstioMetric.TcpSentBytes,
        ["TCP_RECEIVED_BYTES"] = IstioMetric.TcpReceivedBytes,
        ["GRPC_REQUEST_MESSAGES"] = IstioMetric.GrpcRequestMessages,
        ["GRPC_RESPONSE_MESSAGES"] = IstioMetric.GrpcResponseMessages,
    };

    public const string AllMetrics = "ALL_METRICS";

    public static int Count => ByName.Count;
}
