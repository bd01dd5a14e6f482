// Bookinfo's ratings service: JSON over HTTP/1.1 and the same data over gRPC (h2c).
using Bookinfo.Ratings.V1;
using Mesh.ServiceDefaults;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bookinfo.Ratings;

internal static class RatingsApp
{
    // Kestrel endpoint names (Kestrel:Endpoints:<name>, e.g. env Kestrel__Endpoints__Grpc__Url):
    //   "Http" - JSON API, HTTP/1.1.
    //   "Grpc" - the gRPC service; must be Protocols=Http2 (h2c: cleartext HTTP/2 needs prior knowledge).
    public const string HttpEndpointName = "Http";
    public const string GrpcEndpointName = "Grpc";
    public const int DefaultHttpPort = 9083;
    public const int DefaultGrpcPort = 9084;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel =>
        {
            kestrel.ListenLocalhost(DefaultHttpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.ListenLocalhost(DefaultGrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<RatingsState>();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, RatingsJsonContext.Default));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRatingsHttpApi();
        app.MapGrpcService<RatingsGrpcService>();
        return app;
    }
}
