using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bookinfo.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1:0 standing in for details, reviews or ratings: it records
/// every request and answers with whatever the test's handler does.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private RunningApp? _app;

    private FakeUpstream()
    {
    }

    public Uri Url => _app!.Url;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var fake = new FakeUpstream();
        var builder = WebApplication.CreateSlimBuilder(RunningApp.LoopbackArgs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.Run(context =>
        {
            fake._requests.Enqueue(RecordedRequest.From(context.Request));
            return handler(context);
        });
        fake._app = await RunningApp.StartAsync(app);
        return fake;
    }

    public static Task<FakeUpstream> JsonAsync(string json, int statusCode = 200) =>
        StartAsync(context =>
        {
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(json);
        });

    public static Task<FakeUpstream> FailingAsync(int statusCode = 500) =>
        JsonAsync("{\"error\":\"injected failure\"}", statusCode);

    /// <summary>Answers only after <paramref name="delay"/> (or when the caller gives up).</summary>
    public static Task<FakeUpstream> SlowAsync(TimeSpan delay, string json = "{}") =>
        StartAsync(async context =>
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json);
        });

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;
}
