using System.Net;
using System.Net.WebSockets;
using System.Text;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>WebSockets through two sidecars, and bodies that stream instead of being buffered.</summary>
public sealed class ProtocolTests
{
    private static readonly string Echo = ClusterName("echo", 9000);

    [Fact]
    public async Task WebSocket_echo_works_through_outbound_and_inbound_sidecars_and_outlives_the_route_timeout()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var app = await WebSocketEchoAsync();
        var clock = new TestClock();
        var server = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "echo-sidecar", workload: "echo-v1").Inbound("echo", "http", 9000, app.Port), clock: clock);
        var client = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "client-sidecar").Outbound("echo", 9000), clock: clock);
        var route = To(Echo).WithRetries(2, "connect-failure,refused-stream,retriable-status-codes,503").WithTimeout(TimeSpan.FromMilliseconds(300));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("echo", 9000, route)], [Cluster(Echo, Protocol.Http, server.Port(ListenerKind.Inbound))]), "echo-sidecar", "client-sidecar");

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{client.OutboundPort("echo")}/ws"), CancellationToken.None);
        Assert.Equal("hello", await RoundTripAsync(socket, "hello"));
        // An upgraded stream has no route timer, as in Envoy: none is armed, and twice the route timeout passes harmlessly.
        Assert.DoesNotContain(TimeSpan.FromMilliseconds(300), clock.ArmedTimers);
        clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal("still here", await RoundTripAsync(socket, "still here"));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task A_large_upload_streams_through_the_proxy_and_the_backend_sees_it_before_the_upload_ends()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var firstBytes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long received = 0;
        var backend = await bed.BackendAsync("upload", async context =>
        {
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                received += read;
                firstBytes.TrySetResult();
            }

            await context.Response.WriteAsync(received.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("upload", 9000));
        var cluster = ClusterName("upload", 9000);

        // Istio's default retry policy is on: the body replay keeps at most 64 KB, the rest streams.
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("upload", 9000, To(cluster).WithRetries(2, "connect-failure,refused-stream,retriable-status-codes,503"))], [Cluster(cluster, backend)]));
        const long total = 256L * 1024 * 1024;
        var content = new GatedContent(total, firstChunk: 1024 * 1024, gate: firstBytes.Task);

        var response = await bed.Client.PostAsync(TestHttp.Local(proxy.OutboundPort("upload"), "/upload"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(total.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_large_download_streams_and_the_caller_reads_the_start_before_the_backend_writes_the_rest()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var callerHasStart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var chunk = new byte[1024 * 1024];
        var backend = await bed.BackendAsync("download", async context =>
        {
            await context.Response.Body.WriteAsync(chunk);
            await context.Response.Body.FlushAsync();
            await callerHasStart.Task.WaitAsync(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 127; i++)
            {
                await context.Response.Body.WriteAsync(chunk);
            }
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("download", 9000));
        var cluster = ClusterName("download", 9000);
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("download", 9000, To(cluster).WithRetries(2, "5xx"))], [Cluster(cluster, backend)]));

        using var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("download"), "/file"), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long read = 0;
        while (read < chunk.Length)
        {
            read += await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        callerHasStart.SetResult();
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            read += n;
        }

        Assert.Equal(128L * chunk.Length, read);
    }

    private static async Task<string> RoundTripAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[1024];
        var result = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<WebSocketApp> WebSocketEchoAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

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
        });
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new WebSocketApp(app, port);
    }

    private sealed record WebSocketApp(WebApplication App, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>A streamed request body that writes its first chunk, then waits for <paramref name="gate"/> before writing the rest.</summary>
    private sealed class GatedContent(long total, int firstChunk, Task gate) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = new byte[64 * 1024];
            long written = 0;
            while (written < firstChunk)
            {
                await stream.WriteAsync(buffer);
                written += buffer.Length;
            }

            await stream.FlushAsync();

            // The backend must see the start while the rest is not even produced: nothing buffers the whole body.
            await gate.WaitAsync(TimeSpan.FromSeconds(10));
            while (written < total)
            {
                var size = (int)Math.Min(buffer.Length, total - written);
                await stream.WriteAsync(buffer.AsMemory(0, size));
                written += size;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false; // chunked: the proxy cannot know the size in advance
        }
    }
}
