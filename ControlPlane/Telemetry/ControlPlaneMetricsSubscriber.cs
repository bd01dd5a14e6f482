using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Registry;

namespace Mesh.ControlPlane.Telemetry;

/// <summary>
/// Feeds <see cref="ControlPlaneMetrics"/> from the stages' events: every change of a snapshot
/// input starts a push latency measurement, every refused config change is counted.
/// </summary>
internal sealed class ControlPlaneMetricsSubscriber(
    ConfigStore store, WorkloadRegistry registry, MeshSettingsState settings, ChangeTimeline changes, ControlPlaneMetrics metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        store.Changed += changes.Record;
        registry.Changed += changes.Record;
        settings.Changed += changes.Record;
        store.Rejected += metrics.ConfigRejected;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.Changed -= changes.Record;
        registry.Changed -= changes.Record;
        settings.Changed -= changes.Record;
        store.Rejected -= metrics.ConfigRejected;
        return Task.CompletedTask;
    }
}
