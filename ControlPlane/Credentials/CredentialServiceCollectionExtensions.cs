using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Snapshots;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Credentials;

/// <summary>Registers the named TLS credentials: the store over the credential directory, its watcher, the gateway provisioner and the settings snapshots are built with.</summary>
internal static class CredentialServiceCollectionExtensions
{
    public static WebApplicationBuilder AddMeshCredentials(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CredentialOptions>()
            .Bind(builder.Configuration.GetSection(CredentialOptions.SectionName))
            .Validate(o => o.RescanInterval >= TimeSpan.Zero && o.FileDebounce >= TimeSpan.Zero, "ControlPlane:Credentials:RescanInterval and FileDebounce must not be negative")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var directory = sp.GetRequiredService<IOptions<CredentialOptions>>().Value.Directory is { Length: > 0 } configured
                ? configured
                : Path.Combine(sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.DataDirectory, "credentials");
            return new CredentialStore(directory, sp.GetRequiredService<ILogger<CredentialStore>>());
        });
        services.AddSingleton(sp => new MeshSettingsState(sp.GetRequiredService<MeshSettings>(), sp.GetRequiredService<CredentialStore>()));
        services.AddHostedService<CredentialDirectoryWatcher>();
        services.AddSingleton<GatewayCredentialProvisioner>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayCredentialProvisioner>());
        return builder;
    }
}
