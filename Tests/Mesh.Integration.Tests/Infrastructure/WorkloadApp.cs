using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A workload's app: real Kestrel on 127.0.0.1 port 0 that answers every request with its own
/// name (body and <c>x-workload</c>), like a reviews-v1/v2 pod saying who served the call, and
/// echoes the peer identity its sidecar vouched for.
/// </summary>
public sealed class WorkloadApp : IAsyncDisposable
{
    public const string WorkloadHeader = "x-workload";

    /// <summary>Echoes the x-forwarded-client-cert its sidecar passed in (the verified mTLS peer).</summary>
    public const string PeerHeader = "x-seen-client-cert";

    private readonly WebApplication _app;
    private bool _stopped;

    private WorkloadApp(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }

    public int Port { get; private set; }

    public static async Task<WorkloadApp> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.Headers[WorkloadHeader] = name;
            context.Response.Headers[PeerHeader] = context.Request.Headers["x-forwarded-client-cert"].ToString();
            return context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WorkloadApp(app, name) { Port = new Uri(address).Port };
    }

    public ValueTask DisposeAsync() => StopAsync(CancellationToken.None);

    /// <summary>Stops it as a crash does: open connections are aborted, nothing drains.</summary>
    public ValueTask KillAsync() => StopAsync(new CancellationToken(canceled: true));

    private async ValueTask StopAsync(CancellationToken graceful)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync(graceful);
        await _app.DisposeAsync();
    }
}
