using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Telemetry;

/// <summary>Registers the control plane's metrics (exported with the rest of its OpenTelemetry, see ControlPlaneTelemetry).</summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static WebApplicationBuilder AddMeshControlPlaneMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<ChangeTimeline>();
        builder.Services.AddSingleton<ControlPlaneMetrics>();
        builder.Services.AddSingleton<IDiscoveryObserver>(sp => sp.GetRequiredService<ControlPlaneMetrics>());
        builder.Services.AddHostedService<ControlPlaneMetricsSubscriber>();
        return builder;
    }
}
