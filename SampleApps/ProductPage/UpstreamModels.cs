using System.Text.Json.Serialization;

namespace Bookinfo.ProductPage;

// The product page's view of what details and reviews answer (their wire shapes).

public sealed record BookDetails(
    int Id,
    string? Author,
    int? Year,
    string? Type,
    int? Pages,
    string? Publisher,
    string? Language,
    [property: JsonPropertyName("ISBN-10")] string? Isbn10,
    [property: JsonPropertyName("ISBN-13")] string? Isbn13);

public sealed record ProductReviews(
    string? Id,
    string? Podname,
    string? Clustername,
    string? Version,
    IReadOnlyList<ProductReview> Reviews);

public sealed record ProductReview(string Reviewer, string Text, ReviewRating? Rating);

public sealed record ReviewRating(int? Stars, string? Color, string? Error);

/// <summary>Bookinfo's error body: <c>{"error":"…"}</c>.</summary>
public sealed record ErrorResponse(string Error);

public sealed record ProductRatings(int Id, IReadOnlyDictionary<string, int> Ratings);
