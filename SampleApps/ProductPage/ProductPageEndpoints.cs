using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Bookinfo.ProductPage;

/// <summary>The product page, its login/logout, and Bookinfo's JSON API under /api/v1.</summary>
internal static class ProductPageEndpoints
{
    public const string ProductPagePath = "/productpage";
    public const string NumericIdError = "please provide numeric product id";

    public static IEndpointRouteBuilder MapProductPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Content(ProductPageRenderer.RenderIndex(), "text/html; charset=utf-8"));
        endpoints.MapGet(ProductPagePath, RenderProductPageAsync);
        endpoints.MapPost("/login", LoginAsync).DisableAntiforgery();
        endpoints.MapGet("/logout", LogoutAsync);

        var api = endpoints.MapGroup("/api/v1/products");
        api.MapGet("/", () => Results.Ok(Product.Catalog));
        api.MapGet("/{productId}", (string productId, ProductUpstreams upstreams, HttpContext context) =>
            ProxyAsync(productId, context, ProductPageJsonContext.Default.BookDetails, upstreams.GetDetailsAsync,
                ProductPageRenderer.DetailsErrorText));
        api.MapGet("/{productId}/reviews", (string productId, ProductUpstreams upstreams, HttpContext context) =>
            ProxyAsync(productId, context, ProductPageJsonContext.Default.ProductReviews, upstreams.GetReviewsAsync,
                ProductPageRenderer.ReviewsErrorText));
        api.MapGet("/{productId}/ratings", (string productId, ProductUpstreams upstreams, HttpContext context) =>
            ProxyAsync(productId, context, ProductPageJsonContext.Default.ProductRatings, upstreams.GetRatingsAsync,
                "Sorry, product ratings are currently unavailable for this book."));
        return endpoints;
    }

    private static async Task<IResult> RenderProductPageAsync(ProductUpstreams upstreams, HttpContext context)
    {
        var product = Product.Catalog[0];
        var user = SignedInUser(context);
        var aborted = context.RequestAborted;

        // Fetched concurrently: the page waits for the slower of the two, not their sum.
        var details = upstreams.GetDetailsAsync(product.Id, user, aborted);
        var reviews = upstreams.GetReviewsAsync(product.Id, user, aborted);
        var view = new ProductPageView(
            product,
            user,
            Parse(await details, ProductPageJsonContext.Default.BookDetails),
            Parse(await reviews, ProductPageJsonContext.Default.ProductReviews));
        return Results.Content(ProductPageRenderer.Render(view), "text/html; charset=utf-8");
    }

    // Like Bookinfo: any user name is accepted and the password is not checked; the name is
    // what Istio's routing and fault-injection tasks match on (end-user: jason).
    private static async Task<IResult> LoginAsync(HttpRequest request)
    {
        var context = request.HttpContext;
        if (!context.Request.HasFormContentType)
        {
            return Results.BadRequest(new ErrorResponse("expected a form with fields 'username' and 'passwd'"));
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var user = form["username"].ToString().Trim();
        if (user.Length == 0)
        {
            return Results.BadRequest(new ErrorResponse("form field 'username' is required"));
        }

        if (user.Length > 256 || user.Any(char.IsControl))
        {
            return Results.BadRequest(new ErrorResponse("form field 'username' must be at most 256 printable characters"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect(ProductPagePath);
    }

    private static async Task<IResult> LogoutAsync(HttpRequest request)
    {
        await request.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect(ProductPagePath);
    }

    private static string? SignedInUser(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    private static async Task<IResult> ProxyAsync<T>(
        string productId,
        HttpContext context,
        JsonTypeInfo<T> shape,
        Func<int, string?, CancellationToken, Task<UpstreamResponse>> fetch,
        string unavailableMessage)
        where T : class
    {
        if (!int.TryParse(productId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return Results.BadRequest(new ErrorResponse(NumericIdError));
        }

        var response = await fetch(id, SignedInUser(context), context.RequestAborted);
        return Parse(response, shape) is not null
            ? Results.Bytes(response.Body!, "application/json")
            : Results.Json(new ErrorResponse(unavailableMessage), statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>An upstream answer that is not the JSON we expect counts as a failure.</summary>
    private static T? Parse<T>(UpstreamResponse response, JsonTypeInfo<T> shape)
        where T : class
    {
        if (!response.IsSuccess)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body, shape);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
