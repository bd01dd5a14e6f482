using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Telemetry;

/// <summary>Istio's <c>Metrics</c>.</summary>
public sealed record Metrics
{
    [Ignored("Mesh has one telemetry backend (OpenTelemetry to the Aspire dashboard or the configured OTLP endpoint); provider names are not resolved")]
    public ValueList<ProviderRef> Providers { get; init; } = [];

    public ValueList<MetricsOverrides> Overrides { get; init; } = [];

    [Refused("the proxy exports metrics at its OpenTelemetry exporter's interval")]
    public TimeSpan? ReportingInterval { get; init; }
}

/// <summary>Istio's <c>MetricsOverrides</c>.</summary>
public sealed record MetricsOverrides
{
    public MetricSelector? Match { get; init; }

    public bool? Disabled { get; init; }

    public ValueMap<TagOverride> TagOverrides { get; init; } = ValueMap<TagOverride>.Empty;
}

/// <summary>Istio's <c>MetricSelector</c>: oneof metric / customMetric, plus mode.</summary>
public sealed record MetricSelector
{
    public IstioMetric? Metric { get; init; }

    [Refused("Mesh reports Istio's standard metrics only")]
    public string? CustomMetric { get; init; }

    public WorkloadMode? Mode { get; init; }
}

/// <summary>Istio's <c>MetricSelector.IstioMetric</c>.</summary>
public enum IstioMetric
{
    AllMetrics,
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

/// <summary>Istio's <c>MetricsOverrides.TagOverride</c>.</summary>
public sealed record TagOverride
{
    public TagOperation? Operation { get; init; }

    public string? Value { get; init; }
}

/// <summary>Istio's <c>MetricsOverrides.TagOverride.Operation</c>.</summary>
public enum TagOperation
{
    Upsert,
    Remove,
}

/// <summary>Istio's <c>AccessLogging</c>.</summary>
public sealed record AccessLogging
{
    [Limited("mode CLIENT_AND_SERVER only: the proxy logs both directions alike")]
    public AccessLoggingSelector? Match { get; init; }

    [Ignored("Mesh has one telemetry backend (OpenTelemetry to the Aspire dashboard or the configured OTLP endpoint); provider names are not resolved")]
    public ValueList<ProviderRef> Providers { get; init; } = [];

    public bool? Disabled { get; init; }

    public AccessLoggingFilter? Filter { get; init; }
}

/// <summary>Istio's <c>AccessLogging.LogSelector</c>.</summary>
public sealed record AccessLoggingSelector
{
    public WorkloadMode? Mode { get; init; }
}

/// <summary>Istio's <c>AccessLogging.Filter</c>: a CEL expression.</summary>
public sealed record AccessLoggingFilter
{
    public string? Expression { get; init; }
}
