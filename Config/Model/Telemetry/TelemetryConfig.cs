using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Telemetry;

/// <summary>Spec of Istio's <c>Telemetry</c>: tracing, metrics and access logging for selected workloads.</summary>
public sealed record TelemetryConfig
{
    public WorkloadSelector? Selector { get; init; }

    [Refused("it attaches the policy to Gateway API gateways, services or waypoints, which Mesh does not have; use selector")]
    public PolicyTargetReference? TargetRef { get; init; }

    [Refused("it attaches the policy to Gateway API gateways, services or waypoints, which Mesh does not have; use selector")]
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
    [Limited("mode CLIENT_AND_SERVER only: the proxy applies one tracing setting to both directions")]
    public TracingSelector? Match { get; init; }

    [Ignored("Mesh has one telemetry backend (OpenTelemetry to the Aspire dashboard or the configured OTLP endpoint); provider names are not resolved")]
    public ValueList<ProviderRef> Providers { get; init; } = [];

    public double? RandomSamplingPercentage { get; init; }

    public bool? DisableSpanReporting { get; init; }

    [Limited("literal tags only; header, environment and formatter tags are refused: the proxy adds fixed tags only")]
    public ValueMap<CustomTag> CustomTags { get; init; } = ValueMap<CustomTag>.Empty;

    [Limited("false only (the proxy samples at random per request); true, request-id based sampling, is refused")]
    public bool? UseRequestIdForTraceSampling { get; init; }

    [Limited("true only (the default): the proxy always adds Istio's span tags")]
    public bool? EnableIstioTags { get; init; }

    [Limited("false only (the default): the proxy always propagates trace context")]
    public bool? DisableContextPropagation { get; init; }
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
