using System.Text.Json.Serialization;

namespace Bookinfo.Reviews;

/// <summary>Bookinfo's reviews body; property order is the wire order.</summary>
internal sealed record ReviewsResponse(
    string Id,
    string Podname,
    string Clustername,
    string Version,
    IReadOnlyList<Review> Reviews);

internal sealed record Review(
    string Reviewer,
    string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReviewRating? Rating);

/// <summary>Either stars and color, or an error when ratings could not be fetched.</summary>
internal sealed record ReviewRating(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Stars,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Color,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public const string UnavailableError = "Ratings service is currently unavailable";

    public static readonly ReviewRating Unavailable = new(null, null, UnavailableError);
}

/// <summary>Bookinfo's error body: <c>{"error":"…"}</c>.</summary>
internal sealed record ErrorResponse(string Error);
