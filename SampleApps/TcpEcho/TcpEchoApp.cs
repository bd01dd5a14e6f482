// Istio's tcp-echo sample server (samples/tcp-echo/src/main.go) in C#: TCP ports that echo each
// line with a prefix. Kestrel carries the TCP connections (connection handlers, no HTTP).
using Mesh.ServiceDefaults;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Samples.Shared;

namespace Samples.TcpEcho;

public static partial class TcpEchoApp
{
    /// <exception cref="SampleConfigurationException">The arguments or settings are invalid (the message says which).</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var commandLine = TcpEchoCommandLine.Parse(args) ?? throw new SampleConfigurationException(TcpEchoCommandLine.Usage);
        var builder = WebApplication.CreateBuilder(commandLine.HostArguments);
        if (commandLine.Ports is not null)
        {
            builder.Configuration.AddInMemoryCollection(
            [
                new($"{TcpEchoSettings.SectionName}:Ports", commandLine.Ports),
                new($"{TcpEchoSettings.SectionName}:Prefix", commandLine.Prefix),
            ]);
        }

        builder.AddMeshedServiceDefaults();
        configure?.Invoke(builder);

        var settings = TcpEchoSettings.Read(builder.Configuration);
        var endpoints = new TcpEchoEndpoints();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(endpoints);
        ListenOnSettingsPorts(builder, settings, endpoints);

        var app = builder.Build();
        if (settings.HealthPort is not null)
        {
            app.MapDefaultEndpoints();
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TcpEchoApp));
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var endpoint in endpoints.Echo)
            {
                LogListening(logger, SampleHost.Display(settings.Address, endpoint), settings.Prefix);
            }
        });
        return app;
    }

    /// <summary>Runs the server until Ctrl+C or SIGTERM; 1 (and a one-line reason) when it cannot start.</summary>
    public static Task<int> RunAsync(string[] args) =>
        // A port in use is worded like Istio's server.
        SampleHost.RunAsync(() => Build(args), "failed to create listener, err: ");

    /// <summary>The echo ports (and the optional health port) come from the settings, as Istio's image takes them from its arguments.</summary>
    private static void ListenOnSettingsPorts(WebApplicationBuilder builder, TcpEchoSettings settings, TcpEchoEndpoints endpoints)
    {
        SampleHost.ListenOnlyWhereConfigured(builder);
        var address = new SampleListenAddress(settings.Address);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var port in settings.Ports)
            {
                address.Listen(kestrel, port, listen =>
                {
                    listen.UseConnectionHandler<TcpEchoConnectionHandler>();
                    endpoints.AddEcho(listen);
                });
            }

            if (settings.HealthPort is int healthPort)
            {
                address.Listen(kestrel, healthPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    endpoints.SetHealth(listen);
                });
            }
        });
    }

    // Istio's server prints "listening on [::]:9000, prefix: one".
    [LoggerMessage(Level = LogLevel.Information, Message = "listening on {Endpoint}, prefix: {Prefix}")]
    private static partial void LogListening(ILogger logger, string endpoint, string prefix);
}
