using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Telemetry.AccessLog;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Tracing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// Exports the proxy's spans, Istio metrics and logs (including access logs) over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set — Aspire sets it for every resource, the Kubernetes
/// manifests when an OTLP endpoint is configured. The OTel SDK reads the other standard
/// variables itself (<c>OTEL_SERVICE_NAME</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, headers, intervals).
/// Without it nothing is exported and spans are not even created (nothing listens to them).
/// </summary>
internal static class ProxyOpenTelemetry
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void Add(ProxyFeatureBuilder builder)
    {
        // Access logs are written at Information even where a host lowers the default level.
        builder.Logging.AddFilter(AccessLogWriter.Category, LogLevel.Information);
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable]))
        {
            return;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.ParseStateValues = true;
        });
        builder.Services.AddOpenTelemetry()

            // Parent-based: a caller's decision is kept; roots arrive already decided by ProxyTracing
            // (the Telemetry resource's sampling percentage), so the root sampler records them all.
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
                .AddSource(ProxyTracing.SourceName))
            .WithMetrics(metrics => metrics.AddMeter(ProxyInstruments.MeterName))
            .UseOtlpExporter();
    }
}
