using System.Collections.Concurrent;
using Bookinfo.Ratings.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bookinfo.Tests.Infrastructure;

/// <summary>
/// A real gRPC ratings server (h2c on 127.0.0.1:0) whose answer the test decides; it records
/// the metadata of every call so tests can see which headers reviews forwarded.
/// </summary>
public sealed class FakeRatingsGrpc : IAsyncDisposable
{
    private RunningApp? _app;

    private FakeRatingsGrpc(RecordingRatingsService service) => Service = service;

    public Uri Url => _app!.Url;

    public RecordingRatingsService Service { get; }

    public static async Task<FakeRatingsGrpc> StartAsync(Func<ServerCallContext, Task<GetRatingsResponse>> answer)
    {
        var fake = new FakeRatingsGrpc(new RecordingRatingsService(answer));
        var builder = WebApplication.CreateSlimBuilder(RunningApp.LoopbackArgs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(fake.Service);
        var app = builder.Build();
        app.MapGrpcService<RecordingRatingsService>();
        fake._app = await RunningApp.StartAsync(app);
        return fake;
    }

    public static Task<FakeRatingsGrpc> WithRatingsAsync(int reviewer1, int reviewer2) =>
        StartAsync(_ => Task.FromResult(new GetRatingsResponse
        {
            Ratings = { ["Reviewer1"] = reviewer1, ["Reviewer2"] = reviewer2 },
        }));

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;

    public sealed class RecordingRatingsService(Func<ServerCallContext, Task<GetRatingsResponse>> answer)
        : Ratings.V1.Ratings.RatingsBase
    {
        private readonly ConcurrentQueue<Metadata> _calls = new();

        public IReadOnlyList<Metadata> Calls => _calls.ToArray();

        public override Task<GetRatingsResponse> GetRatings(GetRatingsRequest request, ServerCallContext context)
        {
            _calls.Enqueue(context.RequestHeaders);
            return answer(context);
        }
    }
}
