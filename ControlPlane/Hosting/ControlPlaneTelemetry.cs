using Mesh.ControlPlane.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// OpenTelemetry over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the Aspire dashboard
/// sets it): traces and metrics of the admin API and gRPC, the control plane's own metrics
/// (<see cref="ControlPlaneMetrics"/>), and logs.
/// </summary>
internal static class ControlPlaneTelemetry
{
    public static void Add(WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation().AddMeter(ControlPlaneMetrics.MeterName))
            .WithTracing(tracing => tracing.AddAspNetCoreInstrumentation())
            .UseOtlpExporter();
    }
}
