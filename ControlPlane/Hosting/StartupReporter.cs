using Mesh.ControlPlane.Admin;
using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Hosting;

/// <summary>Logs where the control plane listens once the server is up (the ports may have been picked by the OS).</summary>
internal sealed partial class StartupReporter(
    IHostApplicationLifetime lifetime, ControlPlaneListeners listeners, AdminToken token, ConfigStore store, ILogger<StartupReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            LogListening(logger, listeners.AdminUri, listeners.GrpcUri, store.ConfigDirectory ?? "(none)");
            if (!token.IsRequired)
            {
                LogNoToken(logger);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Control plane ready: admin API {AdminUri}, discovery gRPC {GrpcUri}, config directory {ConfigDirectory}")]
    private static partial void LogListening(ILogger logger, Uri adminUri, Uri grpcUri, string configDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The admin API requires no token (set ControlPlane:AdminToken or ControlPlane:GenerateAdminToken=true)")]
    private static partial void LogNoToken(ILogger logger);
}
