// Bookinfo's product page: calls details and reviews and renders the book's page.
using Mesh.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Bookinfo.ProductPage;

internal static class ProductPageApp
{
    public const int DefaultPort = 9080;
    public const string SessionCookieName = "session";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel => kestrel.ListenLocalhost(DefaultPort));
        builder.Services.PropagateHeaders("user-agent");
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProductPageJsonContext.Default));
        builder.Services.AddOptions<ProductPageOptions>()
            .BindConfiguration(ProductPageOptions.SectionName)
            .Validate(o => o.ReviewsAttempts >= 1, "ProductPage:ReviewsAttempts must be at least 1")
            .Validate(
                o => o.DetailsTimeout > TimeSpan.Zero && o.ReviewsTimeout > TimeSpan.Zero && o.RatingsTimeout > TimeSpan.Zero,
                "ProductPage timeouts must be positive")
            .ValidateOnStart();

        AddUpstreamClient(builder.Services, ProductUpstreams.DetailsClient, o => o.DetailsAddress);
        AddUpstreamClient(builder.Services, ProductUpstreams.ReviewsClient, o => o.ReviewsAddress);
        AddUpstreamClient(builder.Services, ProductUpstreams.RatingsClient, o => o.RatingsAddress);
        builder.Services.AddSingleton<ProductUpstreams>();

        // The session is a Data Protection–encrypted cookie holding the user name.
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = SessionCookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });
        builder.Services.AddAuthorization();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseAuthentication();
        app.MapDefaultEndpoints();
        app.MapProductPage();
        return app;
    }

    private static void AddUpstreamClient(IServiceCollection services, string name, Func<ProductPageOptions, Uri> address) =>
        services.AddHttpClient(name, (provider, client) =>
        {
            client.BaseAddress = address(provider.GetRequiredService<IOptions<ProductPageOptions>>().Value);
            client.Timeout = Timeout.InfiniteTimeSpan; // per-try timeouts are ProductUpstreams' job
            client.MaxResponseContentBufferSize = ProductUpstreams.MaxResponseBytes;
        });
}
