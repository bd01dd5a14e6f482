using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Telemetry;

/// <summary>Spec of Istio's <c>Telemetry</c>: tracing, metrics and access logging for selected workloads.</summary>
public sealed record TelemetryConfig
{
    public WorkloadSelector? Selector { get; init; }

    public PolicyTargetReference? TargetRef { get; init; }

    public ValueList<PolicyTargetReference> TargetRefs { get; init; } = [];

    public ValueList<Tracing> Tracing { get; init; } = [];

    public ValueList<Metrics> Metrics { get; init; } = [];

    public ValueList<AccessLogging> AccessLogging { get; init; } = [];
}

/// <summary>Istio's <c>ProviderRef</c>.</summary>
public sealed record ProviderRef
{
    public string? Name { get; init; }
}

/// <summary>Istio's <c>WorkloadMode</c>.</summary>
public enum WorkloadMode
{
    ClientAndServer,
    Client,
    Server,
}

/// <summary>Istio's <c>Tracing</c>.</summary>
public sealed record Tracing
{
    public TracingSelector? Match { get; init; }

    public ValueList<ProviderRef> Providers { get; init; } = [];

    public double? RandomSamplingPercentage { get; init; }

    public bool? DisableSpanReporting { get; init; }

    public ValueMap<CustomTag> CustomTags { get; init; } = ValueMap<CustomTag>.Empty;

    public bool? UseRequestIdForTraceSampling { get; init; }

    public bool? EnableIstioTags { get; init; }
}

/// <summary>Istio's <c>Tracing.TracingSelector</c>.</summary>
public sealed record TracingSelector
{
    public WorkloadMode? Mode { get; init; }
}

/// <summary>Istio's <c>Tracing.CustomTag</c> oneof: literal, environment, header or formatter.</summary>
public sealed record CustomTag
{
    public LiteralTag? Literal { get; init; }

    public EnvironmentTag? Environment { get; init; }

    public RequestHeaderTag? Header { get; init; }

    public FormatterTag? Formatter { get; init; }
}

/// <summary>Istio's <c>Tracing.Literal</c>.</summary>
public sealed record LiteralTag
{
    public string? Value { get; init; }
}

/// <summary>Istio's <c>Tracing.Environment</c>.</summary>
public sealed record EnvironmentTag
{
    public string? Name { get; init; }

    public string? DefaultValue { get; init; }
}

/// <summary>Istio's <c>Tracing.RequestHeader</c>.</summary>
public sealed record RequestHeaderTag
{
    public string? Name { get; init; }

    public string? DefaultValue { get; init; }
}

/// <summary>Istio's <c>Tracing.Formatter</c>.</summary>
public sealed record FormatterTag
{
    public string? Value { get; init; }
}
