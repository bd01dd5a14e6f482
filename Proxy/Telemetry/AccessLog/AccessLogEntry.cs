using System.Diagnostics;
using System.Net;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Peers;

namespace Mesh.Proxy.Telemetry.AccessLog;

/// <summary>
/// What one request's access log line says, captured when the request completes: only references
/// to strings the request already had and plain values. Formatting happens on the writer's thread.
/// </summary>
internal readonly record struct AccessLogEntry
{
    public required DateTime StartTime { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public string? Query { get; init; }
    public required string Protocol { get; init; }
    public required int ResponseCode { get; init; }
    public int GrpcStatus { get; init; }
    public required ResponseFlags Flags { get; init; }
    public required long BytesReceived { get; init; }
    public required long BytesSent { get; init; }
    public required double DurationMs { get; init; }
    public int Attempts { get; init; }
    public string? ForwardedFor { get; init; }
    public string? UserAgent { get; init; }
    public string? RequestId { get; init; }
    public string? Authority { get; init; }
    public string? UpstreamHost { get; init; }
    public string? UpstreamCluster { get; init; }
    public string? RouteName { get; init; }
    public IPAddress? DownstreamLocalAddress { get; init; }
    public int DownstreamLocalPort { get; init; }
    public IPAddress? DownstreamRemoteAddress { get; init; }
    public int DownstreamRemotePort { get; init; }
    public string? RequestedServerName { get; init; }
    public required string Listener { get; init; }
    public required Reporter Reporter { get; init; }
    public required WorkloadPeer Source { get; init; }
    public required WorkloadPeer Destination { get; init; }
    public required string DestinationService { get; init; }
    public required SecurityPolicy SecurityPolicy { get; init; }
    public ActivityTraceId TraceId { get; init; }
    public ActivitySpanId SpanId { get; init; }
    public bool TraceSampled { get; init; }
}
