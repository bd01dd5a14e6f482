using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>
/// An app (HTTP/1.1 on 127.0.0.1) that echoes over upgraded connections: WebSocket messages, and
/// raw bytes after a <c>101</c> for <c>Upgrade: SPDY/3.1</c> (what <c>kubectl exec</c> speaks: an
/// upgrade that exists only in HTTP/1.1, with no HTTP/2 form). Other requests get 200.
/// </summary>
public sealed class UpgradeEchoApp : IAsyncDisposable
{
    public const string Protocol = "SPDY/3.1";

    private readonly WebApplication _app;
    private int _upgrades;

    private UpgradeEchoApp(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>Upgrades (WebSocket or the echo protocol) the app accepted.</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    public static async Task<UpgradeEchoApp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var echo = new UpgradeEchoApp(app);
        app.UseWebSockets();
        app.Run(echo.HandleAsync);
        await app.StartAsync();
        echo.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return echo;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            Interlocked.Increment(ref _upgrades);
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, context.RequestAborted);
            }
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true } && string.Equals(context.Request.Headers.Upgrade, Protocol, StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _upgrades);
            context.Response.Headers.Upgrade = Protocol;
            await using var stream = await upgrade.UpgradeAsync();
            await stream.CopyToAsync(stream, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = 200;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
