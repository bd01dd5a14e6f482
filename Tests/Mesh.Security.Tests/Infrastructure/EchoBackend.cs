using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>
/// A workload's app: a real Kestrel server on 127.0.0.1 (HTTP/1.1, as the sidecar forwards) that
/// answers 200 with its name and records what reached it — in particular the identity headers
/// its sidecar set.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public sealed record Seen(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers);

    public string Name { get; }

    public int Port { get; private set; }

    public ConcurrentQueue<Seen> Requests { get; } = new();

    public Seen Last => Requests.Last();

    public static async Task<EchoBackend> StartAsync(string name, Func<HttpContext, Task>? handler = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var backend = new EchoBackend(app, name);
        app.Run(async context =>
        {
            backend.Requests.Enqueue(new Seen(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            if (handler is not null)
            {
                await handler(context);
                return;
            }

            await context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        backend.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
