using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Samples.TcpEcho;

namespace Samples.Tests.Infrastructure;

/// <summary>The real tcp-echo server on 127.0.0.1, every port chosen by the OS; disposing stops it.</summary>
public sealed class RunningTcpEcho : IAsyncDisposable
{
    private RunningTcpEcho(WebApplication app)
    {
        App = app;
        Endpoints = app.Services.GetRequiredService<TcpEchoEndpoints>();
    }

    public WebApplication App { get; }

    public TcpEchoEndpoints Endpoints { get; }

    public IPEndPoint Echo => Endpoints.Echo[0];

    /// <summary>Istio's command line (<c>PORTS PREFIX</c>) plus settings.</summary>
    public static async Task<RunningTcpEcho> StartAsync(string[] args, params (string, string?)[] settings)
    {
        var app = TcpEchoApp.Build(args, builder => builder.With([("TcpEcho:ListenAddress", "127.0.0.1"), .. settings]));
        await app.StartAsync();
        return new RunningTcpEcho(app);
    }

    public static Task<RunningTcpEcho> StartAsync(string prefix = "one", params (string, string?)[] settings) =>
        StartAsync(["0", prefix], settings);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
