using System.Globalization;
using System.Text.Json;

namespace Bookinfo.Ratings;

/// <summary>Bookinfo's ratings REST API: <c>GET</c> and <c>POST /ratings/{productId}</c>.</summary>
internal static class RatingsHttpApi
{
    public const string NumericIdError = "please provide numeric product ID";

    public static IEndpointRouteBuilder MapRatingsHttpApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/ratings/{productId}", (string productId, RatingsState state) =>
            TryParseProductId(productId, out var id)
                ? Results.Ok(state.Get(id))
                : Results.BadRequest(new ErrorResponse(NumericIdError)));

        endpoints.MapPost("/ratings/{productId}", PutRatingsAsync);
        return endpoints;
    }

    internal static bool TryParseProductId(string text, out int productId) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out productId);

    // Body: {"Reviewer1": 3, "Reviewer2": 1} — reviewer name to stars, 1..5.
    private static async Task<IResult> PutRatingsAsync(string productId, HttpRequest request, RatingsState state)
    {
        if (!TryParseProductId(productId, out var id))
        {
            return Results.BadRequest(new ErrorResponse(NumericIdError));
        }

        Dictionary<string, int>? ratings;
        try
        {
            ratings = await JsonSerializer.DeserializeAsync(
                request.Body, RatingsJsonContext.Default.DictionaryStringInt32, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.BadRequest(new ErrorResponse($"please provide valid ratings JSON: {e.Message}"));
        }

        var error = Validate(ratings);
        if (error is not null)
        {
            return Results.BadRequest(new ErrorResponse(error));
        }

        return state.TryPut(id, ratings!)
            ? Results.Ok(state.Get(id))
            : Results.Json(
                new ErrorResponse($"ratings are stored for at most {RatingsState.MaxRatedProducts} products"),
                statusCode: StatusCodes.Status409Conflict);
    }

    private static string? Validate(Dictionary<string, int>? ratings)
    {
        if (ratings is null)
        {
            return "please provide valid ratings JSON: expected an object of reviewer to stars";
        }

        if (ratings.Count > RatingsState.MaxReviewersPerProduct)
        {
            return $"at most {RatingsState.MaxReviewersPerProduct} reviewers per product";
        }

        foreach (var (reviewer, stars) in ratings)
        {
            if (string.IsNullOrWhiteSpace(reviewer))
            {
                return "reviewer names must not be empty";
            }

            if (stars is < 1 or > 5)
            {
                return $"{reviewer}: stars must be between 1 and 5, got {stars}";
            }
        }

        return null;
    }
}
