using System.Net;
using Mesh.Bench.Tool.Cli;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Bench.Tool.Grpc;

/// <summary><c>mesh-bench grpc-backend --port P</c>: the tiny h2c gRPC server behind the gRPC data-path scenarios.</summary>
public static class GrpcBackendCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var port = args.Int("port", 0);
        args.EnsureAllUsed();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();

        var app = builder.Build();
        app.MapGrpcService<BenchEchoService>();
        await app.StartAsync();
        Console.WriteLine($"listening on {string.Join(", ", app.Urls)}");
        await app.WaitForShutdownAsync();
        return 0;
    }
}
