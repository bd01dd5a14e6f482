using Bookinfo.Details;
using Bookinfo.ProductPage;
using Bookinfo.Ratings;
using Bookinfo.Reviews;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Bookinfo.Tests.Infrastructure;

/// <summary>Starts the real Bookinfo apps on loopback, wired to each other through service-discovery configuration.</summary>
internal static class BookinfoApps
{
    /// <summary>
    /// The apps' upstream timeouts unless a test sets its own: Bookinfo's are 2.5-3 s of real time,
    /// which a cold first call (JIT, gRPC channel) can exceed on a loaded machine, turning a page
    /// into an error page. Tests of the timeouts set short ones against slow upstreams.
    /// </summary>
    private static readonly TimeSpan UnhurriedTimeout = TimeSpan.FromSeconds(30);

    public static async Task<RunningApp> StartDetailsAsync() =>
        await RunningApp.StartAsync(DetailsApp.Build(RunningApp.LoopbackArgs, b => b.With()));

    public static async Task<RunningApp> StartReviewsAsync(
        string version, Uri? ratingsGrpc, Action<ReviewsOptions>? configure = null, params (string, string?)[] settings) =>
        await RunningApp.StartAsync(ReviewsApp.Build(RunningApp.LoopbackArgs, builder =>
        {
            builder.With([("REVIEWS_VERSION", version), ("services:ratings:grpc:0", ratingsGrpc?.ToString()), .. settings]);
            builder.Services.Configure<ReviewsOptions>(options => options.RatingsTimeout = UnhurriedTimeout);
            if (configure is not null)
            {
                builder.Services.Configure(configure);
            }
        }));

    public static async Task<RunningApp> StartProductPageAsync(
        Uri? details, Uri? reviews, Uri? ratings = null, Action<ProductPageOptions>? configure = null) =>
        await RunningApp.StartAsync(ProductPageApp.Build(RunningApp.LoopbackArgs, builder =>
        {
            builder.With(
                ("services:details:http:0", details?.ToString()),
                ("services:reviews:http:0", reviews?.ToString()),
                ("services:ratings:http:0", ratings?.ToString()));
            builder.Services.Configure<ProductPageOptions>(options =>
            {
                options.DetailsTimeout = UnhurriedTimeout;
                options.ReviewsTimeout = UnhurriedTimeout;
                options.RatingsTimeout = UnhurriedTimeout;
            });
            if (configure is not null)
            {
                builder.Services.Configure(configure);
            }
        }));

    /// <summary>
    /// Ratings with both endpoints configured the way Aspire and the sidecar configure them:
    /// Kestrel:Endpoints:Http and Kestrel:Endpoints:Grpc (Protocols Http2), each on port 0.
    /// </summary>
    public static async Task<RunningRatings> StartRatingsAsync()
    {
        ListenOptions? http = null;
        ListenOptions? grpc = null;
        var app = RatingsApp.Build([], builder =>
        {
            builder.With(
                ($"Kestrel:Endpoints:{RatingsApp.HttpEndpointName}:Url", "http://127.0.0.1:0"),
                ($"Kestrel:Endpoints:{RatingsApp.GrpcEndpointName}:Url", "http://127.0.0.1:0"),
                ($"Kestrel:Endpoints:{RatingsApp.GrpcEndpointName}:Protocols", "Http2"));
            // Same configuration section, plus a hook to learn which port each named endpoint got.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel
                .Configure(builder.Configuration.GetSection("Kestrel"))
                .Endpoint(RatingsApp.HttpEndpointName, endpoint => http = endpoint.ListenOptions)
                .Endpoint(RatingsApp.GrpcEndpointName, endpoint => grpc = endpoint.ListenOptions));
        });
        await app.StartAsync();
        return new RunningRatings(app, new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}"), new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}"), grpc.Protocols);
    }
}
