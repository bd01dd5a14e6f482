// Istio's ext-authz sample server (samples/extauthz/cmd/extauthz/main.go) in C#: Envoy's
// external authorization check API over HTTP (port 8000) and gRPC v3/v2 (port 9000).
using System.Text;
using Mesh.ServiceDefaults;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Samples.Shared;

namespace Samples.ExtAuthz;

public static class ExtAuthzApp
{
    /// <exception cref="SampleConfigurationException">The arguments or settings are invalid (the message says which).</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var commandLine = ExtAuthzCommandLine.Parse(args, out var error)
            ?? throw new SampleConfigurationException(error == "help" ? ExtAuthzCommandLine.Usage : $"{error}\n{ExtAuthzCommandLine.Usage}");
        var builder = WebApplication.CreateBuilder(commandLine.HostArguments);
        builder.Configuration.AddInMemoryCollection(commandLine.Settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.AddMeshedServiceDefaults();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<HttpCheckHandler>();
        builder.Services.AddSingleton<GrpcCheck>();
        configure?.Invoke(builder);

        var settings = ExtAuthzSettings.Read(builder.Configuration);
        var endpoints = new ExtAuthzEndpoints();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(endpoints);
        ListenOnSettingsPorts(builder, settings, endpoints);

        var app = builder.Build();
        var check = app.Services.GetRequiredService<HttpCheckHandler>();
        // Every path on the check port is a check (Envoy forwards the original path), so health
        // lives on its own port, and gRPC (HTTP/2) on its port.
        app.MapWhen(endpoints.IsHttpCheck, branch => branch.Run(check.HandleAsync));
        app.MapWhen(endpoints.IsHealth, MapHealth);
        app.MapGrpcService<AuthorizationV3Service>();
        app.MapGrpcService<AuthorizationV2Service>();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExtAuthzApp));
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            ExtAuthzLog.Starting(logger, "HTTP", SampleHost.Display(settings.Address, endpoints.Http));
            ExtAuthzLog.Starting(logger, "gRPC", SampleHost.Display(settings.Address, endpoints.Grpc));
        });
        return app;
    }

    /// <summary>Runs the server until Ctrl+C or SIGTERM; 1 (and a reason) when it cannot start, 0 for -h.</summary>
    public static Task<int> RunAsync(string[] args) =>
        SampleHost.RunAsync(() => Build(args), "Failed to start server: ", e => e.Message == ExtAuthzCommandLine.Usage ? 0 : 1);

    private static void MapHealth(IApplicationBuilder health)
    {
        health.UseHealthChecks(ServiceDefaultsExtensions.HealthEndpointPath);
        health.UseHealthChecks(ServiceDefaultsExtensions.AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ServiceDefaultsExtensions.LivenessTag),
        });
        health.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// The ports come from the settings (the Go sample's -http/-grpc flags). Header bytes pass
    /// through as Latin-1, one char per byte, as Go passes them through.
    /// </summary>
    private static void ListenOnSettingsPorts(WebApplicationBuilder builder, ExtAuthzSettings settings, ExtAuthzEndpoints endpoints)
    {
        SampleHost.ListenOnlyWhereConfigured(builder);
        var address = new SampleListenAddress(settings.Address);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
            kestrel.ResponseHeaderEncodingSelector = _ => Encoding.Latin1;
            ListenOptions? http = null, grpc = null, health = null;
            address.Listen(kestrel, settings.HttpPort, listen => (http = listen).Protocols = HttpProtocols.Http1);
            address.Listen(kestrel, settings.GrpcPort, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
            if (settings.HealthPort is int healthPort)
            {
                address.Listen(kestrel, healthPort, listen => (health = listen).Protocols = HttpProtocols.Http1);
            }

            endpoints.Set(http!, grpc!, health);
        });
    }
}
