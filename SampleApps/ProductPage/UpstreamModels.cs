using System.Text.Json.Serialization;

namespace Bookinfo.ProductPage;

// The product page's view of what details and reviews answer (their wire shapes).

internal sealed record BookDetails(
    int Id,
    string? Author,
    int? Year,
    string? Type,
    int? Pages,
    string? Publisher,
    string? Language,
    [property: JsonPropertyName("ISBN-10")] string? Isbn10,
    [property: JsonPropertyName("ISBN-13")] string? Isbn13);

internal sealed record ProductReviews(
    string? Id,
    string? Podname,
    string? Clustername,
    string? Version,
    IReadOnlyList<ProductReview> Reviews);

internal sealed record ProductReview(string Reviewer, string Text, ReviewRating? Rating);

internal sealed record ReviewRating(int? Stars, string? Color, string? Error);

/// <summary>Bookinfo's error body: <c>{"error":"…"}</c>.</summary>
internal sealed record ErrorResponse(string Error);

internal sealed record ProductRatings(int Id, IReadOnlyDictionary<string, int> Ratings);
