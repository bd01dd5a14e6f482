using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Dashboard;

/// <summary>
/// The current routing of each meshed service in its workloads' properties in the dashboard
/// ("mesh.routing", "mesh.mtls"), and the mesh-wide mTLS mode on the control plane: read from the
/// control plane once it is ready, after every dashboard command, and every few seconds, so changes
/// made with meshctl or files show too.
/// </summary>
internal static class MeshRoutingProperties
{
    public const string RoutingProperty = "mesh.routing";
    public const string MtlsProperty = "mesh.mtls";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    public static void Subscribe(IDistributedApplicationBuilder builder, MeshControlPlaneResource controlPlane)
    {
        builder.Eventing.Subscribe<ResourceReadyEvent>(controlPlane, (ready, cancellationToken) =>
        {
            var stopping = ready.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => PollAsync(ready.Services, controlPlane, stopping), stopping);
            return Task.CompletedTask;
        });
    }

    private static async Task PollAsync(IServiceProvider services, MeshControlPlaneResource controlPlane, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(services, controlPlane, stopping);
                await Task.Delay(Interval, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Reads every service's routing and publishes it; a control plane that does not answer leaves the properties as they were.</summary>
    public static async Task RefreshAsync(IServiceProvider services, MeshControlPlaneResource controlPlane, CancellationToken cancellationToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        using var api = new MeshAdminApi(controlPlane);
        try
        {
            var meshWide = await api.GetAsync("peerauthentication", MeshTrafficCommands.RootNamespace, "default", cancellationToken);
            var meshMode = meshWide?["spec"]?["mtls"]?["mode"].Text() ?? "PERMISSIVE (default)";
            await PublishAsync(notifications, controlPlane, MtlsProperty, $"mesh-wide: {meshMode}");
            foreach (var service in controlPlane.Workloads.GroupBy(w => (w.AppLabel, Namespace: MeshTrafficCommands.NamespaceOf(w))))
            {
                var first = service.First();
                var routing = await ServiceRouting.ReadAsync(api, service.Key.AppLabel, service.Key.Namespace, MeshTrafficCommands.VersionsOf(first), cancellationToken);
                var mtls = routing.PeerAuthentication?["spec"]?["mtls"]?["mode"].Text() is { } mode ? $"{mode} (PeerAuthentication {service.Key.AppLabel})" : $"mesh-wide: {meshMode}";
                foreach (var workload in service)
                {
                    await PublishAsync(notifications, workload.App, RoutingProperty, routing.Summary());
                    await PublishAsync(notifications, workload.App, MtlsProperty, mtls);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            // The control plane is restarting or down: the last published state stays.
        }
    }

    private static Task PublishAsync(ResourceNotificationService notifications, IResource resource, string name, string value) =>
        notifications.PublishUpdateAsync(resource, snapshot =>
            snapshot.Properties.Any(p => p.Name == name && Equals(p.Value, value))
                ? snapshot
                : snapshot with { Properties = snapshot.Properties.RemoveAll(p => p.Name == name).Add(new ResourcePropertySnapshot(name, value)) });
}
