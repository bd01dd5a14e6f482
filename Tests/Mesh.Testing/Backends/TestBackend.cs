using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.Backends;

/// <summary>
/// A workload's app or an upstream service: real Kestrel on 127.0.0.1, port chosen by the OS. By
/// default it answers 200 with its name in the body and in <c>x-backend</c>; a handler can do
/// anything else. Every request is recorded (after the handler ran, with what it read).
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    /// <summary>The response header naming the backend that answered.</summary>
    public const string NameHeader = "x-backend";

    private readonly WebApplication _app;
    private int _requestCount;
    private bool _stopped;

    private TestBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    /// <summary>Requests that arrived so far (counted as they arrive, before the handler answers).</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public RecordedRequest Last => Requests.Last();

    public Uri Url(string pathAndQuery = "/") => new($"http://127.0.0.1:{Port}{pathAndQuery}");

    /// <param name="handler">Answers instead of the default; the body is then the handler's to read.</param>
    /// <param name="port">0 for any free port; else that port (a workload coming back where it was).</param>
    public static async Task<TestBackend> StartAsync(string name = "backend", Func<HttpContext, Task>? handler = null, HttpProtocols protocols = HttpProtocols.Http1, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = protocols));
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

            backend.Requests.Enqueue(RecordedRequest.From(context.Request, length));
            if (handler is not null)
            {
                await handler(context);
                return;
            }

            context.Response.Headers[NameHeader] = name;
            await context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        backend.Port = app.BoundPort();
        return backend;
    }

    /// <summary>Stops serving: the port is closed, as when the workload goes away.</summary>
    public Task StopAsync() => StopAsync(CancellationToken.None);

    /// <summary>Stops it as a crash does: open connections are aborted, nothing drains.</summary>
    public Task KillAsync() => StopAsync(new CancellationToken(canceled: true));

    private async Task StopAsync(CancellationToken graceful)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync(graceful);
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>A port nobody listens on: a backend's, right after it stopped.</summary>
    public static async Task<int> UnusedPortAsync()
    {
        await using var gone = await StartAsync("gone");
        return gone.Port;
    }
}

/// <summary>What a <see cref="TestBackend"/> received: header names lower-case.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Host, string Protocol, long BodyLength, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>Path and query, as <see cref="Path"/> holds them.</summary>
    public string PathAndQuery => Path;

    internal static RecordedRequest From(HttpRequest request, long bodyLength) => new(
        request.Method,
        request.Path + request.QueryString,
        request.Host.Value,
        request.Protocol,
        bodyLength,
        request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()));
}
