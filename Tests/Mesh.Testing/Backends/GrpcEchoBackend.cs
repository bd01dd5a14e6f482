using System.Net;
using Grpc.Core;
using Mesh.Testing.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.Backends;

/// <summary>A real gRPC server (h2c on 127.0.0.1 port 0) implementing the Echo test service.</summary>
public sealed class GrpcEchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly State _state;

    private GrpcEchoBackend(WebApplication app, State state)
    {
        _app = app;
        _state = state;
    }

    public string Name => _state.Name;

    public int Port { get; private set; }

    public int Calls => Volatile.Read(ref _state.Calls);

    /// <summary>The first N calls fail with UNAVAILABLE (a trailers-only gRPC error).</summary>
    public int FailFirstCalls
    {
        get => _state.FailFirstCalls;
        set => _state.FailFirstCalls = value;
    }

    public static async Task<GrpcEchoBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        var state = new State(name);
        builder.Services.AddSingleton(state);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        var backend = new GrpcEchoBackend(app, state);
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        backend.Port = app.BoundPort();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class State(string name)
    {
        public int Calls;

        public string Name { get; } = name;

        public int FailFirstCalls { get; set; }

        public int NextCall() => Interlocked.Increment(ref Calls);
    }

    private sealed class EchoService(State backend) : Echo.EchoBase
    {
        public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
        {
            var call = backend.NextCall();
            if (call <= backend.FailFirstCalls)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"call {call} fails on purpose"));
            }

            if (request.FailWithStatus != 0)
            {
                throw new RpcException(new Status((StatusCode)request.FailWithStatus, "requested failure"));
            }

            return Task.FromResult(new EchoReply { Text = request.Text, ServedBy = backend.Name });
        }

        public override async Task Count(CountRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            backend.NextCall();
            for (var i = 1; i <= request.Count; i++)
            {
                await responseStream.WriteAsync(new EchoReply { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ServedBy = backend.Name });
            }

            context.ResponseTrailers.Add("x-count", request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
