namespace Mesh.ControlPlane.Console;

/// <summary>Registers the mesh console (the page and the /stats poller behind it).</summary>
internal static class ConsoleServiceCollectionExtensions
{
    public static WebApplicationBuilder AddMeshConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>()
            .Bind(builder.Configuration.GetSection(ConsoleOptions.SectionName))
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.RateWindow > TimeSpan.Zero && o.StatsTimeout > TimeSpan.Zero && o.IdleAfter > TimeSpan.Zero,
                "ControlPlane:Console intervals must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<ProxyStatsPoller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProxyStatsPoller>());
        builder.Services.AddSingleton<MeshConsoleService>();
        return builder;
    }
}
