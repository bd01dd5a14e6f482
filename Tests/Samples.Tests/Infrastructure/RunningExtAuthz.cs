using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Samples.ExtAuthz;

namespace Samples.Tests.Infrastructure;

/// <summary>The real ext-authz server on 127.0.0.1 (HTTP, gRPC and health ports chosen by the OS); disposing stops it.</summary>
public sealed class RunningExtAuthz : IAsyncDisposable
{
    private RunningExtAuthz(WebApplication app)
    {
        App = app;
        Endpoints = app.Services.GetRequiredService<ExtAuthzEndpoints>();
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ActivityHeadersPropagator = null })
        {
            BaseAddress = new Uri($"http://{Endpoints.Http}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        Grpc = GrpcChannel.ForAddress($"http://{Endpoints.Grpc}");
    }

    public WebApplication App { get; }

    public ExtAuthzEndpoints Endpoints { get; }

    /// <summary>No redirects, no cookies, no headers added: the server sees exactly what a test sends.</summary>
    public HttpClient Http { get; }

    /// <summary>h2c to the gRPC port, as Envoy's (and the proxy's) ext_authz client connects.</summary>
    public GrpcChannel Grpc { get; }

    public static async Task<RunningExtAuthz> StartAsync(string[]? args = null, params (string, string?)[] settings)
    {
        var app = ExtAuthzApp.Build(
            args ?? [],
            builder => builder.With(
            [
                ("ExtAuthz:ListenAddress", "127.0.0.1"), ("ExtAuthz:HttpPort", "0"), ("ExtAuthz:GrpcPort", "0"), ("ExtAuthz:HealthPort", "0"),
                .. settings,
            ]));
        await app.StartAsync();
        return new RunningExtAuthz(app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Grpc.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
