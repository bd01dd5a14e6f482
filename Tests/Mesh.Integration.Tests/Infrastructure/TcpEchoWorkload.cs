using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Samples.TcpEcho;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// The sample tcp-echo server (Istio's, in C#) on 127.0.0.1 with three ports the OS picks (its
/// 9000, 9001 and 9002), answering each line with "&lt;prefix&gt; &lt;line&gt;".
/// </summary>
public sealed class TcpEchoWorkload : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TcpEchoWorkload(WebApplication app)
    {
        _app = app;
        Ports = [.. app.Services.GetRequiredService<TcpEchoEndpoints>().Echo.Select(e => e.Port)];
    }

    /// <summary>The app's ports for its service ports 9000, 9001, 9002.</summary>
    public IReadOnlyList<int> Ports { get; }

    public static async Task<TcpEchoWorkload> StartAsync(string prefix)
    {
        var app = TcpEchoApp.Build(["0,0,0", prefix], builder => builder.Configuration["TcpEcho:ListenAddress"] = "127.0.0.1");
        await app.StartAsync();
        return new TcpEchoWorkload(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
