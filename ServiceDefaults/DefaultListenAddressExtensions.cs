using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Mesh.ServiceDefaults;

public static class DefaultListenAddressExtensions
{
    /// <summary>
    /// Gives a standalone app its well-known ports (Bookinfo's 9080…), but only when nothing
    /// else says where to listen: <c>ASPNETCORE_URLS</c>/<c>--urls</c>, <c>HTTP_PORTS</c>,
    /// or <c>Kestrel:Endpoints</c> (what Aspire, the sidecar and Kubernetes manifests set).
    /// </summary>
    public static WebApplicationBuilder ListenOnDefaultsUnlessConfigured(
        this WebApplicationBuilder builder, Action<KestrelServerOptions> listenOnDefaults)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            if (!HasConfiguredAddresses(context.Configuration))
            {
                listenOnDefaults(kestrel);
            }
        });
        return builder;
    }

    public static bool HasConfiguredAddresses(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
