using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>
/// A real Kestrel backend on 127.0.0.1 port 0. By default it answers 200 with its name in the
/// body and in "x-backend"; a custom handler can do anything else. Every request is recorded.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requestCount;

    private TestBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public sealed record RecordedRequest(string Method, string Path, string? Host, long BodyLength, IReadOnlyDictionary<string, string> Headers);

    public string Name { get; }

    public int Port { get; private set; }

    public int RequestCount => Volatile.Read(ref _requestCount);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<TestBackend> StartAsync(string name, Func<HttpContext, Task>? handler = null, HttpProtocols protocols = HttpProtocols.Http1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = protocols));
        var app = builder.Build();
        var backend = new TestBackend(app, name);
        app.Run(async context =>
        {
            Interlocked.Increment(ref backend._requestCount);
            long length = 0;
            if (handler is null)
            {
                var buffer = new byte[8192];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    length += read;
                }
            }

            backend.Requests.Enqueue(new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Host.Value,
                length,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            if (handler is not null)
            {
                await handler(context);
                return;
            }

            context.Response.Headers["x-backend"] = name;
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
