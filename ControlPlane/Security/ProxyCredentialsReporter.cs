namespace Mesh.ControlPlane.Security;

/// <summary>Says at start how proxies authenticate, and warns when they do not.</summary>
internal sealed partial class ProxyCredentialsReporter(IProxyAuthenticator authenticator, ILogger<ProxyCredentialsReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (authenticator is AllowAnyProxyAuthenticator)
        {
            LogUnauthenticated(logger);
        }
        else
        {
            LogAuthenticated(logger, authenticator.GetType().Name);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxies are not authenticated on the discovery stream and cannot obtain workload certificates: no bootstrap key (set ControlPlane:Security:BootstrapKeyFile or ControlPlane:Security:GenerateBootstrapKey=true)")]
    private static partial void LogUnauthenticated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxies authenticate with their workload credential ({Authenticator})")]
    private static partial void LogAuthenticated(ILogger logger, string authenticator);
}
