using System.Text.Json.Serialization;

namespace Bookinfo.Details;

/// <summary>Bookinfo's details body; property order is the wire order.</summary>
internal sealed record BookDetails(
    int Id,
    string Author,
    int Year,
    string Type,
    int Pages,
    string Publisher,
    string Language,
    [property: JsonPropertyName("ISBN-10")] string Isbn10,
    [property: JsonPropertyName("ISBN-13")] string Isbn13)
{
    // Bookinfo serves one book, whatever the id (the id is echoed back).
    public static BookDetails ForProduct(int id) => new(
        Id: id,
        Author: "William Shakespeare",
        Year: 1595,
        Type: "paperback",
        Pages: 200,
        Publisher: "PublisherA",
        Language: "English",
        Isbn10: "1234567890",
        Isbn13: "123-1234567890");
}

/// <summary>Bookinfo's error body: <c>{"error":"…"}</c>.</summary>
internal sealed record ErrorResponse(string Error);
