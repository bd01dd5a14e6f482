using Microsoft.AspNetCore.Builder;

namespace Bookinfo.Tests.Infrastructure;

/// <summary>A started app on 127.0.0.1 with an OS-chosen port; disposing stops it.</summary>
public sealed class RunningApp : IAsyncDisposable
{
    public static readonly string[] LoopbackArgs = ["--urls", "http://127.0.0.1:0"];

    private RunningApp(WebApplication app)
    {
        App = app;
        Url = new Uri(app.Urls.First());
        Client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            // The test process hosts apps whose OpenTelemetry listens to every HttpClient;
            // without this the test's own client would replace the traceparent a test sets.
            ActivityHeadersPropagator = null,
        })
        {
            BaseAddress = Url,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public WebApplication App { get; }

    public Uri Url { get; }

    /// <summary>No redirects followed, no cookies kept, no headers added: tests see and send exactly what they mean.</summary>
    public HttpClient Client { get; }

    public static async Task<RunningApp> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new RunningApp(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
