// Bookinfo's reviews service. v1 shows no ratings; v2 and v3 fetch them from ratings over gRPC.
using System.Globalization;
using Mesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using RatingsClient = Bookinfo.Ratings.V1.Ratings.RatingsClient;

namespace Bookinfo.Reviews;

public static class ReviewsApp
{
    public const int DefaultPort = 9082;
    public const string NumericIdError = "please provide numeric product id";

    /// <summary>Forwarded to ratings (as gRPC metadata) so header-based routes and faults on ratings work.</summary>
    public static readonly string[] ForwardedHeaders = ["end-user", "user-agent"];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel => kestrel.ListenLocalhost(DefaultPort));
        builder.Services.PropagateHeaders(ForwardedHeaders);
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ReviewsJsonContext.Default));

        builder.Services.AddOptions<ReviewsOptions>()
            .Configure<IConfiguration>(BindFromConfiguration)
            .Validate(
                options => ReviewsOptions.KnownVersions.Contains(options.Version),
                $"REVIEWS_VERSION must be one of {string.Join(", ", ReviewsOptions.KnownVersions)}")
            .ValidateOnStart();
        builder.Services
            .AddGrpcClient<RatingsClient>((services, grpc) =>
                grpc.Address = services.GetRequiredService<IOptions<ReviewsOptions>>().Value.RatingsAddress);
        builder.Services.AddTransient<RatingsLookup>();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/reviews/{productId}", GetReviewsAsync);
        return app;
    }

    private static void BindFromConfiguration(ReviewsOptions options, IConfiguration configuration)
    {
        configuration.GetSection("Reviews").Bind(options);
        options.Version = configuration["REVIEWS_VERSION"] ?? options.Version;
        options.PodName = FirstSet(configuration["POD_NAME"], configuration["OTEL_SERVICE_NAME"]) ?? options.PodName;
        options.ClusterName = FirstSet(configuration["CLUSTER_NAME"]) ?? options.ClusterName;
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static async Task<IResult> GetReviewsAsync(
        string productId, IOptions<ReviewsOptions> options, RatingsLookup ratings, HttpContext context)
    {
        if (!int.TryParse(productId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return Results.BadRequest(new ErrorResponse(NumericIdError));
        }

        var settings = options.Value;
        var productRatings = settings.RatingsEnabled
            ? await ratings.TryGetAsync(id, context.RequestAborted)
            : null;
        return Results.Ok(ReviewsCatalog.Build(id, settings, productRatings));
    }
}
