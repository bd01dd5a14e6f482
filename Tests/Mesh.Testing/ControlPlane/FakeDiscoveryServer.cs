using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Testing.Backends;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.ControlPlane;

/// <summary>
/// A real MeshDiscovery gRPC server (Kestrel, h2c, 127.0.0.1) standing in for the control plane:
/// it pushes whatever snapshot the test sets to every connected proxy and records Hello, ACK and
/// NACK messages. It can be stopped and restarted on the same port.
/// </summary>
public sealed class FakeDiscoveryServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Guid, Channel<ProxySnapshot>> _streams = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication? _app;
    private ProxySnapshot? _current;

    public sealed record Received(string NodeId, ProxyMessage Message, string? Authorization);

    public int Port { get; private set; }

    public string Address => $"http://127.0.0.1:{Port}";

    public IReadOnlyCollection<Received> Messages => _received;

    public IEnumerable<Hello> Hellos => _received.Where(r => r.Message.KindCase == ProxyMessage.KindOneofCase.Hello).Select(r => r.Message.Hello);

    public int ActiveStreams => _streams.Count;

    public static async Task<FakeDiscoveryServer> StartAsync()
    {
        var server = new FakeDiscoveryServer();
        await server.StartOnAsync(0);
        return server;
    }

    /// <summary>Sets the snapshot served to connected and future proxies.</summary>
    public void Push(ProxySnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        foreach (var stream in _streams.Values)
        {
            stream.Writer.TryWrite(snapshot);
        }
    }

    public Task<Received> WaitForAckAsync(string version, string? nodeId = null)
        => WaitForAsync(
            $"ACK of {version}{(nodeId is null ? "" : $" from {nodeId}")}",
            r => r.Message.KindCase == ProxyMessage.KindOneofCase.Ack && r.Message.Ack.Version == version && (nodeId is null || r.NodeId == nodeId));

    public Task<Received> WaitForNackAsync(string version, string? nodeId = null)
        => WaitForAsync(
            $"NACK of {version}{(nodeId is null ? "" : $" from {nodeId}")}",
            r => r.Message.KindCase == ProxyMessage.KindOneofCase.Nack && r.Message.Nack.Version == version && (nodeId is null || r.NodeId == nodeId));

    public Task<Received> WaitForAsync(string what, Func<Received, bool> predicate) =>
        Poll.ForAsync(what, () => Task.FromResult(_received.FirstOrDefault(predicate)),
            () => string.Join(", ", _received.Select(r => $"{r.NodeId}: {r.Message.KindCase}")));

    /// <summary>Stops serving (streams are cut, the port is closed), like a control plane going away.</summary>
    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        var app = _app;
        _app = null;
        foreach (var stream in _streams.Values)
        {
            stream.Writer.TryComplete();
        }

        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Serves again on the same port.</summary>
    public Task RestartAsync() => StartOnAsync(Port);

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<DiscoveryService>();
        await app.StartAsync();
        Port = app.BoundPort();
        _app = app;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class DiscoveryService(FakeDiscoveryServer server, IHostApplicationLifetime lifetime) : MeshDiscovery.MeshDiscoveryBase
    {
        public override async Task StreamSnapshots(IAsyncStreamReader<ProxyMessage> requestStream, IServerStreamWriter<ProxySnapshot> responseStream, ServerCallContext context)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
            var token = cts.Token;
            var authorization = context.RequestHeaders.GetValue("authorization");
            if (!await requestStream.MoveNext(token) || requestStream.Current.KindCase != ProxyMessage.KindOneofCase.Hello)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be Hello"));
            }

            var nodeId = requestStream.Current.Hello.Node.Id;
            server._received.Enqueue(new Received(nodeId, requestStream.Current, authorization));
            var id = Guid.NewGuid();
            var channel = Channel.CreateUnbounded<ProxySnapshot>();
            server._streams[id] = channel;
            try
            {
                if (Volatile.Read(ref server._current) is { } current)
                {
                    channel.Writer.TryWrite(current);
                }

                var reader = Task.Run(async () =>
                {
                    while (await requestStream.MoveNext(token))
                    {
                        server._received.Enqueue(new Received(nodeId, requestStream.Current, authorization));
                    }
                }, token);

                await foreach (var snapshot in channel.Reader.ReadAllAsync(token))
                {
                    await responseStream.WriteAsync(snapshot, token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                server._streams.TryRemove(id, out _);
            }
        }
    }
}
