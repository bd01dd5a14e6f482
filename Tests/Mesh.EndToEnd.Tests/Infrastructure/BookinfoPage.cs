using System.Text.RegularExpressions;

namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>Reads what Bookinfo's /productpage shows: which reviews pod served it, stars, errors.</summary>
public static partial class BookinfoPage
{
    public const string ReviewsError = "Error fetching product reviews!";
    public const string DetailsError = "Error fetching product details!";

    /// <summary>What reviews v2/v3 show instead of stars when ratings could not be read.</summary>
    public const string RatingsError = "Ratings service is currently unavailable";

    /// <summary>The reviews workload named on the page ("reviews-v1"…), or null when reviews failed.</summary>
    public static string? ReviewsServedBy(string html) =>
        PodName().Match(html) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>Stars colour: "black" (reviews v2), "red" (v3) or null (v1 shows none).</summary>
    public static string? StarsColor(string html) =>
        StarsClass().Match(html) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>Fetches /productpage and returns the reviews pod; fails on anything but 200.</summary>
    public static async Task<string> FetchReviewsServedByAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        var html = await FetchAsync(client, cancellationToken);
        return ReviewsServedBy(html) ?? "(reviews unavailable)";
    }

    public static async Task<string> FetchAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync("/productpage", cancellationToken);
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"/productpage answered {(int)response.StatusCode}: {html[..Math.Min(html.Length, 300)]}");
        }

        return html;
    }

    /// <summary>How many of <paramref name="count"/> page loads each reviews pod served.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> CountReviewsServedByAsync(
        HttpClient client, int count, CancellationToken cancellationToken = default)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var pod = await FetchReviewsServedByAsync(client, cancellationToken);
            counts[pod] = counts.GetValueOrDefault(pod) + 1;
        }

        return counts;
    }

    public static string Describe(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"));

    [GeneratedRegex("<u class=\"podname\">([^<]+)</u>")]
    private static partial Regex PodName();

    [GeneratedRegex("class=\"stars stars-([a-z]+)\"")]
    private static partial Regex StarsClass();
}
